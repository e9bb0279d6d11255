"""The demo record loads, looks like real use, and loads the same twice; in development it
comes with three logins to try it with, and its dates count back from today."""

from collections import Counter
from datetime import datetime, time, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from cities.models import City, CityAlias, Mayor, PoliceKilling
from commitments.city_reports import disagreements
from commitments.demo import (
    DEMO_ADVOCATE,
    DEMO_ADVOCATE_CITIES,
    DEMO_CITIES,
    DEMO_OFFICIAL,
    DEMO_REPORTS,
    DEMO_REVIEWER,
    DemoLoginsRefused,
    ensure_demo_users,
    seed_demo,
)
from commitments.models import (
    REVIEW_PERMISSION,
    CityReport,
    Evidence,
    Pledge,
    ProgressUpdate,
    ReviewState,
)
from commitments.scoring import STALE_AFTER_DAYS
from commitments.selectors import advocate_cities

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
        "logged": sorted(ProgressUpdate.objects.values_list("submitted_at", "reviewed_at")),
        "evidence": Evidence.objects.count(),
        "advocates": sorted(City.objects.values_list("slug", "advocates__username")),
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


def test_a_later_run_adds_nothing_to_what_an_earlier_one_logged():
    some = [("Minneapolis", "MN"), ("Ferguson", "MO")]
    seed_demo(some, today=timezone.localdate() - timedelta(days=40))
    first = snapshot()
    seed_demo(some)
    assert snapshot() == first


def test_demo_dates_count_back_from_the_day_it_is_seeded():
    day = timezone.localdate() - timedelta(days=500)
    seed_demo([("Minneapolis", "MN"), ("Chicago", "IL")], today=day)
    start_of_day = timezone.make_aware(datetime.combine(day, time.min))
    updates = ProgressUpdate.objects.all()
    latest = max(updates.values_list("happened_on", flat=True))
    assert day - timedelta(days=STALE_AFTER_DAYS) < latest < day
    assert max(updates.values_list("submitted_at", flat=True)) < start_of_day
    reviewed = updates.exclude(reviewed_at=None).values_list("submitted_at", "reviewed_at")
    assert all(submitted < reviewed_at <= start_of_day for submitted, reviewed_at in reviewed)
    for record in [*Mayor.objects.all(), *Pledge.objects.all()]:
        record.full_clean()  # a pledge lies within its mayor's term, or the year before


def test_if_empty_leaves_existing_data_alone(settings):
    settings.DEBUG = True
    City.objects.create(name="Only", state="MN", slug="only")
    call_command("seed_demo", "--if-empty", stdout=StringIO())
    assert City.objects.count() == 1
    assert not ProgressUpdate.objects.exists()


def log_in(client, login):
    """Log in on the login page, as a person would; whether it worked."""
    data = {"username": login.username, "password": login.password}
    response = client.post(reverse("login"), data)
    return response.status_code == 302 and "_auth_user_id" in client.session


def test_the_command_prints_the_demo_logins_even_when_the_data_exists(settings, client):
    settings.DEBUG = True
    City.objects.create(name="Chicago", state="IL", slug="chicago")
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    printed = out.getvalue()
    assert "http://127.0.0.1:8000/accounts/login/" in printed
    for login in (DEMO_ADVOCATE, DEMO_REVIEWER):
        assert f"username {login.username}, password {login.password}" in printed
        assert log_in(client, login)
        client.logout()
    assert "Chicago, IL" in printed


def test_demo_logins_are_refused_with_debug_off_and_nothing_changes(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off.*Nothing was changed.*--no-logins"):
        call_command("seed_demo", stdout=StringIO())
    with pytest.raises(DemoLoginsRefused):
        seed_demo(DEMO_ADVOCATE_CITIES, logins=True)
    assert not City.objects.exists()
    assert not get_user_model().objects.exists()


def test_without_logins_no_demo_user_can_log_in(settings, client):
    settings.DEBUG = True
    ensure_demo_users(logins=True)
    settings.DEBUG = False
    City.objects.create(name="Only", state="MN", slug="only")
    out = StringIO()
    call_command("seed_demo", "--if-empty", "--no-logins", stdout=out)
    assert DEMO_ADVOCATE.password not in out.getvalue()
    assert get_user_model().objects.filter(username=DEMO_ADVOCATE.username).exists()
    settings.DEBUG = True
    assert not log_in(client, DEMO_ADVOCATE)
    assert not log_in(client, DEMO_REVIEWER)


def test_the_login_page_shows_the_demo_logins_in_development(
    settings, client, django_assert_num_queries
):
    settings.DEBUG = True
    ensure_demo_users(logins=True)
    with django_assert_num_queries(1):
        response = client.get(reverse("login"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Demo logins (development only)" in page
    for login in (DEMO_ADVOCATE, DEMO_REVIEWER):
        assert f"<code>{login.username}</code>, password <code>{login.password}</code>" in page


@pytest.mark.parametrize("debug, logins", [(False, True), (True, False)])
def test_the_login_page_shows_no_demo_logins_otherwise(settings, client, debug, logins):
    settings.DEBUG = True
    if logins:
        ensure_demo_users(logins=True)
    settings.DEBUG = debug
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Demo logins" not in response.content.decode()
    assert DEMO_ADVOCATE.password not in response.content.decode()


@pytest.fixture
def demo(settings):
    """The demo advocate's cities and one more, seeded in development."""
    settings.DEBUG = True
    seed_demo([*DEMO_ADVOCATE_CITIES, ("Ferguson", "MO")], logins=True)


def test_the_demo_advocate_has_three_cities_each_a_to_do_list(demo, client):
    advocate = get_user_model().objects.get(username=DEMO_ADVOCATE.username)
    cities = advocate_cities(advocate, timezone.localdate())
    assert sorted((city.name, city.state) for city in cities) == sorted(DEMO_ADVOCATE_CITIES)
    for city in cities:
        assert 0 < len(city.stale_actions) < city.total_actions  # some fresh, some stale
        assert city.pending_updates > 0
    cutoff = timezone.localdate() - timedelta(days=STALE_AFTER_DAYS)
    rated_long_ago = City.objects.filter(
        current_statuses__happened_on__lt=cutoff, advocates=advocate
    )
    assert rated_long_ago.distinct().count() == 3  # stale for being old, not only unrated

    assert log_in(client, DEMO_ADVOCATE)
    page = client.get(reverse("advocate:dashboard")).content.decode()
    assert all(name in page for name, _state in DEMO_ADVOCATE_CITIES)
    assert f"{cities[0].total_actions} stale actions" not in page


def test_the_demo_reviewer_can_review(demo, client):
    reviewer = get_user_model().objects.get(username=DEMO_REVIEWER.username)
    assert reviewer.is_staff and reviewer.has_perm(REVIEW_PERMISSION)
    pending = ProgressUpdate.objects.pending().first()
    assert log_in(client, DEMO_REVIEWER)
    client.post(
        reverse("admin:commitments_progressupdate_changelist"),
        {"action": "approve_selected", "_selected_action": [pending.pk]},
    )
    pending.refresh_from_db()
    assert pending.review_state == ReviewState.APPROVED
    assert pending.reviewed_by == reviewer


def test_the_demo_official_reports_for_their_city_and_lands_on_its_page(demo, client):
    oakland = City.objects.get(name="Oakland")
    reports = CityReport.objects.filter(city=oakland)
    assert reports.count() == len(DEMO_REPORTS)
    assert reports.exclude(answer="").count() == 1
    assert len(disagreements()) == len(DEMO_REPORTS) - 2  # one agrees, one is answered
    seed_demo([("Oakland", "CA")], logins=True)
    assert reports.count() == len(DEMO_REPORTS)  # once
    response = client.post(reverse("login"), vars(DEMO_OFFICIAL))
    assert response.url == reverse("official:page")
    page = client.get(response.url).text
    assert "Oakland" in page and "Demo: the city reports" in page
    assert "the demo official, who reports for Oakland, CA" in demo_output()


def demo_output():
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    return out.getvalue()


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
