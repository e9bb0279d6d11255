"""Load data: a realistic national-scale record built in bulk, the same for the same seed."""

import hashlib
from datetime import timedelta
from io import StringIO
from itertools import combinations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from cities.models import City, Mayor, PoliceKilling, terms_overlap
from commitments.load_data import SQLITE_CITY_LIMIT, LoadRefused, generate_load_data
from commitments.models import (
    Action,
    CurrentStatus,
    Evidence,
    Pledge,
    ProgressUpdate,
    ReviewState,
)
from tests.factories import CityFactory

pytestmark = pytest.mark.django_db

CITIES = 2


@pytest.fixture
def loaded():
    return generate_load_data(CITIES, seed=1)


def test_every_city_has_one_sitting_mayor_and_terms_that_never_overlap(loaded):
    assert City.objects.count() == CITIES
    assert Mayor.objects.sitting().count() == CITIES
    for city in City.objects.all():
        terms = list(city.mayors.values_list("term_start", "term_end"))
        assert not any(terms_overlap(first, second) for first, second in combinations(terms, 2))


def test_every_action_is_rated_in_every_city_from_its_first_update(loaded):
    assert CurrentStatus.objects.count() == CITIES * Action.objects.count()
    first_review = {}
    latest_first = ProgressUpdate.objects.order_by("-submitted_at")
    for city, action, state in latest_first.values_list("city", "action", "review_state"):
        first_review[city, action] = state  # the earliest comes last
    assert len(first_review) == CITIES * Action.objects.count()
    assert set(first_review.values()) == {ReviewState.APPROVED}


def test_about_a_quarter_of_updates_wait_for_review_or_were_rejected(loaded):
    states = dict(ProgressUpdate.objects.values_list("review_state").annotate(count=Count("id")))
    unapproved = states[ReviewState.PENDING] + states[ReviewState.REJECTED]
    assert 0.18 < unapproved / sum(states.values()) < 0.3
    rejected = ProgressUpdate.objects.filter(review_state=ReviewState.REJECTED)
    assert not rejected.filter(Q(review_note="") | Q(reviewed_by=None)).exists()


def test_updates_share_their_citys_evidence_and_approved_ones_stand_on_approved(loaded):
    cited = ProgressUpdate.objects.annotate(count=Count("evidence"))
    assert set(cited.values_list("count", flat=True)) == {1, 2, 3}
    assert Evidence.objects.annotate(count=Count("updates")).filter(count__gt=1).exists()
    links = ProgressUpdate.evidence.through.objects
    assert not links.exclude(evidence__city=F("progressupdate__city")).exists()
    approved = ProgressUpdate.objects.approved()
    assert not approved.exclude(evidence__review_state=ReviewState.APPROVED).exists()
    reviewed = ProgressUpdate.objects.exclude(review_state=ReviewState.PENDING)
    assert not reviewed.filter(evidence__review_state=ReviewState.PENDING).exists()


def test_the_log_covers_ten_years_up_to_today(loaded):
    today = timezone.localdate()
    days = ProgressUpdate.objects.values_list("happened_on", flat=True)
    assert min(days) <= today - timedelta(days=9 * 365)
    assert max(days) <= today
    ten_years_ago = timezone.now() - timedelta(days=3660)
    for submitted_at, reviewed_at in ProgressUpdate.objects.values_list(
        "submitted_at", "reviewed_at"
    ):
        assert ten_years_ago <= submitted_at <= (reviewed_at or submitted_at)


def test_police_violence_records_are_keyed_as_the_importer_keys_them(loaded):
    records = list(PoliceKilling.objects.all())
    assert len(records) >= CITIES
    for record in records:
        key = PoliceKilling.key_for(
            record.mpv_id, record.name, record.date, record.city_name, record.state
        )
        assert record.record_key == key
    assert {record.match for record in records} >= {PoliceKilling.Match.CITY}


def test_a_sample_of_every_kind_passes_full_clean(loaded):
    for model in [City, Mayor, Pledge, Evidence, ProgressUpdate, PoliceKilling]:
        sample = model.objects.order_by("?")[:5]
        assert sample, model
        for instance in sample:
            instance.full_clean()


def digest():
    """What a run built, without the ids that sequences hand out."""
    tables = [
        City.objects.values_list("id", "state", "slug", "population", "latitude"),
        Mayor.objects.values_list("id", "city_id", "name", "term_start", "term_end"),
        Pledge.objects.values_list("mayor_id", "status", "date", "submitted_at", "reviewed_at"),
        Evidence.objects.values_list("id", "url", "published_on", "review_state"),
        ProgressUpdate.objects.values_list(
            "id", "action__code", "status", "happened_on", "submitted_at", "review_state",
            "submitted_by__username", "evidence__id",
        ),
        PoliceKilling.objects.values_list("record_key", "date", "race", "city_id"),
    ]  # fmt: skip
    rows = [sorted(table, key=repr) for table in tables]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def digest_of_a_run(seed):
    with transaction.atomic():
        generate_load_data(CITIES, seed=seed)
        built = digest()
        transaction.set_rollback(True)
    return built


def test_the_same_seed_builds_the_same_data():
    first = digest_of_a_run(seed=7)
    assert digest_of_a_run(seed=7) == first
    assert digest_of_a_run(seed=8) != first


def test_refuses_a_database_that_already_has_data():
    CityFactory()
    with pytest.raises(LoadRefused, match="empty database"):
        generate_load_data(1)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL takes any size")
def test_refuses_national_scale_on_sqlite():
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("generate_load_data", "--cities", str(SQLITE_CITY_LIMIT + 1))
    assert not City.objects.exists()


def test_command_reports_rows_time_and_peak_memory():
    out = StringIO()
    call_command("generate_load_data", "--cities", "1", "--verbosity", "0", stdout=out)
    assert "         1 cities" in out.getvalue()
    assert "peak memory" in out.getvalue()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the guard exists on PostgreSQL")
def test_the_evidence_link_guard_stands_again_after_loading(loaded):
    update = ProgressUpdate.objects.approved().first()
    other = Evidence.objects.approved().exclude(updates=update).first()
    with pytest.raises(DatabaseError, match="only while it is pending"), transaction.atomic():
        update.evidence.add(other)
