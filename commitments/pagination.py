"""Pagination: page numbers for short lists, keyset cursors for the log.

Kept apart from the views, because DRF's settings import it before they load.
"""

from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from math import ceil
from operator import or_

from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage
from django.db.models import Q
from django.utils import timezone
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination, PageNumberPagination

from commitments.models import UPDATES_PUBLISHED_FIRST


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
    """Keyset pagination over the approved log in the order its filter chose (`UpdateFilter`):
    the thousandth page of 800,000 updates costs what the first does (no count, no offset over
    the rows before it)."""

    page_size = 50
    ordering = UPDATES_PUBLISHED_FIRST

    def get_ordering(self, request, queryset, view):
        self.model = queryset.model
        return tuple(queryset.query.order_by) or tuple(self.ordering)

    def decode_cursor(self, request):
        """A cursor whose position the order's first field cannot hold (one given for the other
        order) is as unknown as a garbled one."""
        cursor = super().decode_cursor(request)
        if cursor and cursor.position is not None:
            field = self.model._meta.get_field(self.ordering[0].lstrip("-"))
            try:
                position = field.to_python(cursor.position)
            except ValidationError:
                position = None
            if _unusable(position):
                raise NotFound(self.invalid_cursor_message)
        return cursor


class EvidencePagination(NullableLinksSchema, CursorPagination):
    """Keyset pagination over approved evidence, newest first (no count over 200,000 items)."""

    page_size = 50
    ordering = ["-published_on", "-id"]


# How many pages the log links to on each side of the current one.
WINDOW = 2


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str | None  # None for the current page
    current: bool = False


class LogPage:
    """One numbered page of the log for readers, with links to the first and last pages and to
    the pages around it (`links`; None stands for the pages skipped between them).

    Each link carries its page's number and a keyset cursor, the sort key of the row just
    before that page, so that a page reached through the links costs what the first does
    however deep it lies. A number alone (typed, or the last page) is found by an offset from
    the nearer end of the log that reads only the sort keys. The total is one count, or given.

    `queryset` is ordered on fields that end with the primary key, so every key is unique;
    `count`, if known, is its length (else counted). Raises InvalidPage for a number or cursor
    that this log does not have.
    """

    def __init__(self, request, queryset, per_page, count=None):
        self.path, self.query, self.per_page = request.path, request.GET, per_page
        self.model = queryset.model
        self.ordering = list(queryset.query.order_by)
        self.fields = [name.lstrip("-") for name in self.ordering]
        self.count = queryset.count() if count is None else count
        self.num_pages = max(ceil(self.count / per_page), 1)
        self.number = self._page_number(request.GET.get("page"))
        cursor = request.GET.get("cursor")
        if cursor and self.number == 1:
            raise InvalidPage  # the first page is the log's top, never a cursor's
        if cursor:
            rows = queryset.filter(_after(self.ordering, self._decode(cursor)))[:per_page]
        else:
            rows = self._rows_by_number(queryset)
        self.object_list = list(rows)
        if self.count and not self.object_list:
            raise InvalidPage
        self.links = self._links(queryset)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def _page_number(self, value):
        try:
            number = int(value or 1)
        except ValueError:
            raise InvalidPage from None
        if not 1 <= number <= self.num_pages:
            raise InvalidPage
        return number

    def _rows_by_number(self, queryset):
        """The page at an offset from the start or, if nearer, from the end: the offset reads
        the primary keys alone (an index-only scan), and only the page's rows are joined."""
        start = (self.number - 1) * self.per_page
        end = min(start + self.per_page, self.count)
        if start == 0:
            return queryset[: self.per_page]
        if start <= self.count - end:
            keys = queryset.values("pk")[start:end]
        else:
            keys = queryset.order_by(*_reversed(self.ordering)).values("pk")
            keys = keys[self.count - end : self.count - start]
        return queryset.filter(pk__in=keys)

    def _links(self, queryset):
        """The first and last pages, the window around this one, and the pages before and
        after it (`previous_url`, `next_url`). Two reads of sort keys, on every page, so that
        every page runs the same queries."""
        number, rows, size = self.number, self.object_list, self.per_page
        urls = {1: self._url(1), number: None}
        if rows:
            following = self._keys(queryset, self.ordering, rows[-1], (WINDOW - 1) * size)
            # Before page N + j comes the last row of page N + j - 1.
            keys = [self._key(rows[-1]), *following[size - 1 :: size]]
            for ahead in range(1, WINDOW + 1):
                if len(following) > (ahead - 1) * size:
                    urls[number + ahead] = self._url(number + ahead, keys[ahead - 1])
            # Reading back from this page's first row, the row before page N - j is j pages on.
            preceding = self._keys(queryset, _reversed(self.ordering), rows[0], WINDOW * size)
            for back in range(1, min(WINDOW, number - 1) + 1):
                key = preceding[back * size] if back * size < len(preceding) else None
                urls[number - back] = self._url(number - back, key)
        urls.setdefault(self.num_pages, self._url(self.num_pages))
        self.previous_url = urls.get(number - 1)
        self.next_url = urls.get(number + 1)
        return self._with_gaps(urls)

    def _with_gaps(self, urls):
        """The links in order, with None where pages are skipped; a single skipped page is
        linked instead (it lies next to the first or the last, so its offset is short)."""
        links, previous = [], None
        for number in sorted(urls):
            if previous is not None and number - previous == 2:
                links.append(PageLink(previous + 1, self._url(previous + 1)))
            elif previous is not None and number - previous > 2:
                links.append(None)
            links.append(PageLink(number, urls[number], current=number == self.number))
            previous = number
        return links

    def _keys(self, queryset, ordering, row, limit):
        """The sort keys of up to `limit` + 1 rows after `row` in `ordering`."""
        following = queryset.order_by(*ordering).filter(_after(ordering, self._key(row)))
        return list(following.prefetch_related(None).values_list(*self.fields)[: limit + 1])

    def _key(self, row):
        return tuple(getattr(row, field) for field in self.fields)

    def _url(self, number, key=None):
        query = self.query.copy()
        query.pop("page", None)
        query.pop("cursor", None)
        if number > 1:
            query["page"] = number
            if key is not None:
                query["cursor"] = _encode(key)
        return f"{self.path}?{query.urlencode()}" if query else self.path

    def _decode(self, cursor):
        try:
            values = urlsafe_b64decode(cursor.encode("ascii")).decode().split("|")
        except ValueError:
            raise InvalidPage from None
        if len(values) != len(self.fields):
            raise InvalidPage
        try:
            key = [
                self.model._meta.get_field(field).to_python(value)
                for field, value in zip(self.fields, values, strict=True)
            ]
        except ValidationError:
            raise InvalidPage from None
        if any(_unusable(value) for value in key):
            raise InvalidPage
        return key


def _encode(key):
    values = (value.isoformat() if hasattr(value, "isoformat") else str(value) for value in key)
    return urlsafe_b64encode("|".join(values).encode()).decode()


def _unusable(value):
    """A key value no row has: none, or a time without its offset."""
    return value is None or isinstance(value, datetime) and timezone.is_naive(value)


def _reversed(ordering):
    return [name[1:] if name.startswith("-") else f"-{name}" for name in ordering]


def _after(ordering, key):
    """The rows that come after `key` in `ordering`: later on the first field, or equal on it
    and later on the next, and so on. The bound on the first field alone lets the database
    start its index scan at the key instead of filtering from the top."""
    fields = [name.lstrip("-") for name in ordering]
    lookups = ["lt" if name.startswith("-") else "gt" for name in ordering]
    equal, later = {}, []
    for field, lookup, value in zip(fields, lookups, key, strict=True):
        later.append(Q(**equal, **{f"{field}__{lookup}": value}))
        equal[field] = value
    return Q(**{f"{fields[0]}__{lookups[0]}e": key[0]}) & reduce(or_, later)
