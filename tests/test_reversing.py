"""Addresses are remembered per language and script prefix, never served from another's."""

from django.urls import clear_script_prefix, set_script_prefix
from django.utils import translation

from cities.models import City


def test_a_remembered_address_follows_the_language_and_the_script_prefix():
    city = City(state="MN", slug="minneapolis")
    assert city.get_absolute_url() == "/cities/mn/minneapolis/"
    with translation.override("es"):
        assert city.get_absolute_url() == "/es/cities/mn/minneapolis/"
    set_script_prefix("/tracker/")
    try:
        assert city.get_absolute_url() == "/tracker/cities/mn/minneapolis/"
    finally:
        clear_script_prefix()
    assert city.get_absolute_url() == "/cities/mn/minneapolis/"
