"""The API's pagination, kept apart from the views that DRF's settings import it before."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """Page-number pagination whose schema says "or null" the OpenAPI 3.1 way."""

    page_size = 50

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        for link in ("next", "previous"):
            link_schema = paginated["properties"][link]
            link_schema.pop("nullable", None)
            link_schema["type"] = ["string", "null"]
        return paginated
