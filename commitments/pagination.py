"""Pagination: page numbers for short lists, keyset cursors for the log.

Kept apart from the views, because DRF's settings import it before they load.
"""

from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.request import Request

from commitments.models import UPDATES_LATEST_FIRST


class NullableLinksSchema:
    """The page's schema says "or null" for its links the OpenAPI 3.1 way."""

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        for link in ("next", "previous"):
            link_schema = paginated["properties"][link]
            link_schema.pop("nullable", None)
            link_schema["type"] = ["string", "null"]
        return paginated


class Pagination(NullableLinksSchema, PageNumberPagination):
    page_size = 50


class LogPagination(NullableLinksSchema, CursorPagination):
    """Keyset pagination over the approved log, newest first: the thousandth page of 800,000
    updates costs what the first does (no count, no offset over the rows before it)."""

    page_size = 50
    ordering = UPDATES_LATEST_FIRST


class EvidencePagination(NullableLinksSchema, CursorPagination):
    """Keyset pagination over approved evidence, newest first (no count over 200,000 items)."""

    page_size = 50
    ordering = ["-published_on", "-id"]


class LogPage:
    """One page of the log for an HTML page, with its neighbours' URLs (or None)."""

    def __init__(self, request, queryset, per_page):
        pagination = LogPagination()
        pagination.page_size = per_page
        try:
            self.object_list = pagination.paginate_queryset(queryset, Request(request))
        except NotFound:
            self.object_list, self.next_url, self.previous_url = [], None, None
            self.invalid = True
            return
        self.invalid = False
        self.next_url = pagination.get_next_link()
        self.previous_url = pagination.get_previous_link()

    def __iter__(self):
        return iter(self.object_list)
