"""The API's OpenAPI schema says everything a client may meet: the errors, and what filters take.

The API is fuzzed against it (`scripts/fuzz_api.py`): a response or a rejection the schema
does not announce is a failure.
"""

import threading

from django.conf import settings
from django.utils.translation import get_language
from django_filters import CharFilter, ModelChoiceFilter
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers
from rest_framework.schemas.inspectors import ViewInspector

from commitments.caching import last_changed


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


INVALID_FILTERS = OpenApiResponse(
    {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "example": {"state": ["Select a valid choice. XX is not one of the available choices."]},
    },
    "An invalid filter value: the messages of each parameter that was not accepted.",
)
NO_SUCH_ITEM = OpenApiResponse(ErrorSerializer, "No such item.")
NO_SUCH_PAGE = OpenApiResponse(
    ErrorSerializer, "No such page: a page number or cursor that this list did not give."
)
THROTTLED = OpenApiResponse(
    ErrorSerializer, "Too many requests: the message and Retry-After say when to try again."
)


def accepted_values(filter_field):
    """What the filter's form field accepts beyond its type: principles and actions are data,
    so their numbers and codes are listed as they are now (the schema is cached per record
    version, `caching.public`); text has no NUL character and may have a length."""
    if isinstance(filter_field, ModelChoiceFilter):
        values = filter_field.queryset.values_list(filter_field.extra["to_field_name"], flat=True)
        return {"enum": sorted(values)}
    if isinstance(filter_field, CharFilter):
        text = {"pattern": "^[^\\u0000]*$"}
        if max_length := filter_field.extra.get("max_length"):
            text["maxLength"] = max_length
        return text
    return {}


class ApiSchema(AutoSchema):
    """Adds the errors a view answers with, and the filters' accepted values, to its operation."""

    def get_response_serializers(self):
        serializer = super().get_response_serializers()
        if isinstance(serializer, dict):  # the view lists its own responses
            return serializer
        responses = {200: serializer}
        if not self._is_list_view(serializer):
            responses[404] = NO_SUCH_ITEM
        else:
            if getattr(self.view, "filterset_class", None):
                responses[400] = INVALID_FILTERS
            if self._get_paginator():
                responses[404] = NO_SUCH_PAGE
        if self.view.throttle_classes:
            responses[429] = THROTTLED
        return responses

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        filterset = getattr(self.view, "filterset_class", None)
        filters = filterset.base_filters if filterset else {}
        for parameter in (operation or {}).get("parameters", []):
            if parameter["in"] == "query":
                # The pages' filter forms send every field, blank for "any": an empty filter,
                # page or cursor is the same as none.
                parameter["allowEmptyValue"] = True
                if parameter["name"] in filters:
                    parameter["schema"].update(accepted_values(filters[parameter["name"]]))
        return operation


class Documented(ViewInspector):
    """The views' `schema`: like DRF's default descriptor, a fresh `ApiSchema` per view instance,
    so that concurrent schema requests never share one inspector."""

    def __get__(self, instance, owner):
        inspector = super().__get__(instance, owner)
        if inspector is self:
            inspector = ApiSchema()
            inspector.view = instance
        return inspector


class RecordSchemaGenerator(SchemaGenerator):
    """Generates the schema once for each version of the record (the filters list the
    principles and actions as they are), language and API version, then answers with it: a
    generation takes about 33 ms at any scale, and rendering what it made about 7. Only the
    site's languages are kept (the schema view takes any `?lang=`), and only for the record's
    latest version. Used under `SchemaView.generating`, one thread at a time."""

    made = {}  # (record version, language, API version, public): the schema

    def get_schema(self, request=None, public=False):
        language = get_language()
        if language not in dict(settings.LANGUAGES):
            return super().get_schema(request, public)
        key = (last_changed(), language, self.api_version, public)
        made = self.made
        if key not in made:
            made = {made_for: schema for made_for, schema in made.items() if made_for[0] == key[0]}
            made[key] = super().get_schema(request, public)
            RecordSchemaGenerator.made = made
        return made[key]


class SchemaView(SpectacularAPIView):
    """The schema, generated by one thread of a worker at a time: drf-spectacular's generator
    keeps global state (its lazily loaded extensions, its warnings) that two threads generating
    at once corrupt, and the threaded workers then answered 500 (drf-spectacular issues 1122,
    1123 and 1368). That thread also keeps what it generated, for the next requests."""

    generator_class = RecordSchemaGenerator
    generating = threading.Lock()

    @extend_schema(exclude=True)  # as on the view it overrides: the schema is not an operation
    def get(self, request, *args, **kwargs):
        with self.generating:
            return super().get(request, *args, **kwargs)
