"""Shared fixtures: fast password hashing, and the people who use the site."""

import gc

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import translation

from commitments.models import Principle
from pledge_tracker import garbage
from tests.factories import (
    ApprovedPledgeFactory,
    ApprovedUpdateFactory,
    CityFactory,
    MayorFactory,
    StaffFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def in_english():
    """Each test starts in English: a request to a Spanish page leaves Spanish active in the
    thread (LocaleMiddleware activates a page's language and leaves it), which would otherwise
    reach the next test's `reverse()` and messages."""
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    """Background tasks run in the test itself (the immediate backend), not in a worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def downloads_in_a_temporary_directory(settings, tmp_path):
    """The whole logs' files (`commitments.downloads`) are written for each test apart."""
    settings.DOWNLOADS_DIR = tmp_path / "downloads"


@pytest.fixture(scope="session", autouse=True)
def database_features_probed(django_db_setup, django_db_blocker):
    """SQLite probes its JSON support on first use; probe once, so that query counts are exact."""
    with django_db_blocker.unblock():
        assert connection.features.supports_json_field


@pytest.fixture(scope="session", autouse=True)
def garbage_collector_settled(django_db_setup):
    """The loaded site frozen out of garbage collection, as in a gunicorn worker, once the test
    database is built; and the youngest objects collected every 50,000 allocations rather than
    700, which leaves the tests' short-lived objects to their reference counts. Together they
    take about a tenth off the suite's time."""
    garbage.freeze_loaded()
    gc.set_threshold(50_000, *gc.get_threshold()[1:])


@pytest.fixture
def staff_user(db):
    return StaffFactory(username="reviewer")


@pytest.fixture
def staff_client(client, staff_user):
    return logged_in(client, staff_user)


@pytest.fixture
def city(db):
    city = CityFactory(name="Minneapolis", state="MN")
    MayorFactory(city=city, name="Jo Mayor")
    return city


@pytest.fixture
def other_city(db):
    return CityFactory(name="St. Paul", state="MN")


@pytest.fixture
def advocate(city):
    user = UserFactory(username="advocate")
    city.advocates.add(user)
    return user


@pytest.fixture
def other_advocate(other_city):
    user = UserFactory(username="other-advocate")
    other_city.advocates.add(user)
    return user


def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def advocate_client(client, advocate):
    return logged_in(client, advocate)


@pytest.fixture
def other_advocate_client(client, other_advocate):
    return logged_in(client, other_advocate)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with no cached page (the cache outlives the rolled-back database)."""
    cache.clear()


def change_weight(client, action, weight):
    """Change an action's weight on its admin page, as staff would."""
    return client.post(
        reverse("admin:commitments_action_change", args=[action.pk]),
        {"principle": action.principle_id, "code": action.code, "position": action.position,
         "title_en": action.title_en, "achieved_when_en": action.achieved_when_en,
         "title_es": action.title_es or "", "achieved_when_es": action.achieved_when_es or "",
         "weight": weight},
    )  # fmt: skip


@pytest.fixture
def record(city):
    """One of each public item, for tests that open every URL."""
    update = ApprovedUpdateFactory(city=city)
    return {
        "city": city,
        "principle": Principle.objects.get(number=1),
        "update": update,
        "evidence": update.evidence.get(),
        "pledge": ApprovedPledgeFactory(mayor=city.mayors.get()),
    }
