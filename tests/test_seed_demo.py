"""The demo record loads, looks like real use, and loads the same twice."""

from collections import Counter

import pytest
from django.core.management import call_command

from cities.models import City, CityAlias, Mayor, PoliceKilling
from commitments.demo import DEMO_CITIES, seed_demo
from commitments.models import Evidence, Pledge, ProgressUpdate

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "cities": sorted(City.objects.values_list("state", "slug", "population")),
        "mayors": sorted(Mayor.objects.values_list("city__slug", "name", "term_start")),
        "pledges": sorted(Pledge.objects.values_list("mayor__name", "status", "review_state")),
        "updates": sorted(
            ProgressUpdate.objects.values_list(
                "city__slug", "action__code", "status", "happened_on", "review_state"
            )
        ),
        "evidence": Evidence.objects.count(),
        "aliases": sorted(CityAlias.objects.values_list("city__slug", "name")),
        "killings": sorted(PoliceKilling.objects.values_list("record_key", "city__slug", "match")),
    }


def test_seed_demo_is_idempotent_and_varied():
    some = DEMO_CITIES[:6] + [("Minneapolis", "MN")]
    seed_demo(some)
    first = snapshot()
    seed_demo(some)
    assert snapshot() == first

    assert len(first["cities"]) == 7
    assert ("MN", "minneapolis", 410939) in first["cities"]
    assert Mayor.objects.sitting().count() == len(first["cities"])
    assert all("demo" in name for _slug, name, _start in first["mayors"])
    review_states = Counter(state for *_rest, state in first["updates"])
    assert set(review_states) == {"approved", "pending", "rejected"}
    assert len({status for _c, _a, status, _d, _r in first["updates"]}) == 5


def test_if_empty_leaves_existing_data_alone(capsys):
    City.objects.create(name="Only", state="MN", slug="only")
    call_command("seed_demo", "--if-empty")
    assert City.objects.count() == 1


def test_demo_police_violence_is_the_real_record():
    seed_demo([("New York City", "NY"), ("Los Angeles", "CA"), ("Columbus", "OH")])
    people = Counter(
        PoliceKilling.objects.filter(date__year__range=(2013, 2021)).values_list(
            "city__name", flat=True
        )
    )
    # Most New Yorkers in the data are recorded in a borough, by the NYPD; Columbus's latest
    # death (Ma'Khia Bryant, April 2021) has no MPV ID yet.
    assert people["New York City"] >= 80
    assert people["Los Angeles"] >= 150
    assert people["Columbus"] >= 46
    assert PoliceKilling.objects.filter(city__name="Columbus", mpv_id="").exists()
