"""URL converters shared by the public and advocate URLs."""

from django.urls import register_converter


class StateConverter:
    """A state's USPS code in lower case, as city URLs spell it."""

    regex = "[a-z]{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value.lower()


register_converter(StateConverter, "state")
