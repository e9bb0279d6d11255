"""The records the browser tests read: the demo's (real places, a varied history) for the
page walks, and a few cities with known scores, made with the factories, for the stories."""

from decimal import Decimal

from django.contrib.auth import get_user_model

from cities.models import City
from commitments.demo import DEMO_REVIEWER, seed_demo
from commitments.models import (
    Action,
    CurrentStatus,
    Follower,
    Frequency,
    Pledge,
    Principle,
    ProgressUpdate,
)
from commitments.scoring import Status
from tests.factories import CityFactory, MayorFactory, rate
from tests.test_city_reports import make_official, report

# Enough of the demo for every kind of page: the biggest city (Los Angeles, the tallest city
# page), three in one state to filter, the compare example's two, and a small town.
DEMO_CITIES = [
    ("Los Angeles", "CA"), ("San Diego", "CA"), ("Oakland", "CA"),
    ("Atlanta", "GA"), ("Minneapolis", "MN"), ("Ferguson", "MO"),
]  # fmt: skip

# name, state, latitude, longitude, and how many actions (in code order) it has achieved; the
# rest are rated "not started", so more achieved means a higher score.
RATED_CITIES = [
    ("Los Angeles", "CA", "34.05223", "-118.24368", 20),
    ("San Diego", "CA", "32.71571", "-117.16472", 12),
    ("Oakland", "CA", "37.80437", "-122.27080", 5),
    ("Atlanta", "GA", "33.74900", "-84.38798", 8),
    ("Minneapolis", "MN", "44.97997", "-93.26384", 15),
]


def demo_record():
    """Seed the demo cities; the record that `tests.url_list.url_for` fills URLs from, with
    who opens the pages that need a login, and a follower not yet confirmed, whose links are
    opened."""
    seed_demo(DEMO_CITIES)
    city = City.objects.get(state="CA", slug="los-angeles")
    update = ProgressUpdate.objects.approved().filter(city=city).first()
    return {
        "city": city,
        "principle": Principle.objects.get(number=1),
        "update": update,
        "evidence": update.evidence.first(),
        "pledge": Pledge.objects.approved().first(),
        "advocate": get_user_model().objects.get(assigned_cities=city),
        "official": official_who_disagrees(city),
        "reviewer": get_user_model().objects.get(username=DEMO_REVIEWER.username),
        "follower": Follower.objects.create(
            email="fan@example.org", city=city, frequency=Frequency.IMMEDIATELY, language="en"
        ),
    }


def official_who_disagrees(city):
    """A verified official of `city` whose report on 1.1 differs from its independent rating,
    so that the reviewers' queue is not empty."""
    official = make_official(city)
    rated = CurrentStatus.objects.filter(city=city, action__code="1.1").first()
    achieved = rated is not None and rated.status == Status.ACHIEVED
    report(official, city, "1.1", status=Status.IN_PROGRESS if achieved else Status.ACHIEVED)
    return official


def rated_cities():
    """{city name: City}, each rated on every action, with a sitting mayor."""
    codes = list(
        Action.objects.order_by("principle__number", "position").values_list("code", flat=True)
    )
    cities = {}
    for name, state, latitude, longitude, achieved in RATED_CITIES:
        city = CityFactory(
            name=name, state=state, latitude=Decimal(latitude), longitude=Decimal(longitude)
        )
        MayorFactory(city=city)
        statuses = dict.fromkeys(codes, Status.NOT_STARTED) | dict.fromkeys(
            codes[:achieved], Status.ACHIEVED
        )
        rate(city, statuses)
        cities[name] = city
    return cities
