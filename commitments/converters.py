"""URL converters shared by the public and advocate URLs."""

from django.urls import register_converter

from commitments.models import ACTION_CODE_PATTERN


class StateConverter:
    """A state's USPS code in lower case, as city URLs spell it."""

    regex = "[a-z]{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value.lower()


class ActionCodeConverter:
    """An action's code, as the model validates it: "4.2"."""

    regex = ACTION_CODE_PATTERN

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(StateConverter, "state")
register_converter(ActionCodeConverter, "action")
