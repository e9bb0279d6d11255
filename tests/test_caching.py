"""Public pages are cached and conditional, and every write shows at once."""

from datetime import date

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cities.models import PoliceKilling
from cities.police_violence import import_police_violence
from commitments import caching
from commitments.services import approve_update
from tests.conftest import logged_in
from tests.factories import (
    ActionFactory,
    ApprovedUpdateFactory,
    CityFactory,
    ProgressUpdateFactory,
    ReviewerFactory,
)

pytestmark = pytest.mark.django_db

STAMP_ONLY = 1  # a cached or not-modified answer reads only the record's last change

PUBLIC = [
    reverse("commitments:scorecard"),
    reverse("commitments:updates"),
    reverse("data:updates_feed"),
    reverse("data:cities_csv"),
    reverse("api:city-list"),
    reverse("api:update-list"),
]


@pytest.fixture
def city():
    city = CityFactory(name="Cachetown")
    ApprovedUpdateFactory(city=city, action=ActionFactory(code="1.1"))
    return city


@pytest.mark.parametrize("url", PUBLIC)
def test_a_matching_etag_gets_304_without_computing_the_page(
    client, city, url, django_assert_num_queries
):
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    with django_assert_num_queries(STAMP_ONLY):
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_if_modified_since_gets_304(client, city, django_assert_num_queries):
    url = reverse("data:updates_feed")
    first = client.get(url)
    with django_assert_num_queries(STAMP_ONLY):
        again = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304


def test_anonymous_pages_are_served_from_the_cache_until_the_record_changes(
    client, city, django_assert_num_queries
):
    url = reverse("commitments:city", args=["mn", city.slug])
    first = client.get(url)
    with django_assert_num_queries(STAMP_ONLY):
        cached = client.get(url)
    assert cached.content == first.content
    update = ProgressUpdateFactory(city=city, action=ActionFactory(code="2.1"),
                                   summary="A review board was created.")  # fmt: skip
    approve_update(update, ReviewerFactory())
    fresh = client.get(url)
    assert fresh["ETag"] != first["ETag"]
    assert "A review board was created." in fresh.content.decode()


@pytest.mark.parametrize("url", PUBLIC)
def test_the_cache_keeps_what_was_sent_and_sends_it_again(
    client, city, url, monkeypatch, django_assert_num_queries
):
    """An entry is the response's bytes and headers, not what rendered them (an API response
    holds its serializer's data besides its JSON)."""
    stored, set_entry = [], caching.cache.set

    def storing(*args, **kwargs):
        stored.append(args)
        return set_entry(*args, **kwargs)

    monkeypatch.setattr(caching.cache, "set", storing)
    first = client.get(url)
    [entry] = [value for key, value, *_seconds in stored if key.startswith("page:")]
    assert type(entry) is HttpResponse and not hasattr(entry, "data")
    with django_assert_num_queries(STAMP_ONLY):
        cached = client.get(url)
    assert cached.content == first.content
    assert dict(cached.items()) == dict(first.items())


def test_an_approval_changes_the_scorecard_at_once(client, city):
    url = reverse("commitments:scorecard")
    before = client.get(url).content.decode()
    update = ProgressUpdateFactory(city=city, action=ActionFactory(code="2.1"))
    approve_update(update, ReviewerFactory())
    after = client.get(url).content.decode()
    assert after != before


def test_an_import_changes_the_pages_at_once(client, city, tmp_path):
    url = reverse("commitments:city", args=["mn", city.slug])
    client.get(url)
    export = tmp_path / "mpv.csv"
    export.write_text(
        "name,age,gender,race,date,city,state,agency_responsible,cause_of_death,mpv_id\n"
        f"Jo Example,30,Male,Black,2020-05-01,{city.name},MN,Police,Gunshot,9001\n"
    )
    import_police_violence(export)
    assert PoliceKilling.objects.filter(city=city).exists()
    assert "2020" in client.get(url).content.decode().split('id="police-violence"')[1]


def test_signed_in_users_never_get_a_cached_page(client, city, advocate):
    url = reverse("commitments:scorecard")
    client.get(url)  # now cached for anonymous visitors
    logged_in(client, advocate)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert len(queries) > STAMP_ONLY + 2  # the session, the user, then the page itself
    assert "private" in response["Cache-Control"]


def test_each_page_of_a_list_and_each_filter_is_its_own_entry(client, city):
    other = CityFactory(name="Otherplace", state="WI")
    ApprovedUpdateFactory(
        city=other, action=ActionFactory(code="1.1"), happened_on=date(2024, 2, 1)
    )
    url = reverse("commitments:scorecard")
    everything = client.get(url).content.decode()
    wisconsin = client.get(url, {"state": "WI"}).content.decode()
    assert "Cachetown" in everything and "Cachetown" not in wisconsin


def test_a_visitor_with_a_message_waiting_never_gets_or_leaves_a_cached_page(client, city):
    url = reverse("commitments:scorecard")
    client.get(url)  # cached for visitors without a session
    client.cookies["messages"] = "a one-time message"
    response = client.get(url)
    assert "private" in response["Cache-Control"]
    del client.cookies["messages"]
    assert "public" in client.get(url)["Cache-Control"]
