"""The stored score periods (`ScorePeriod`) give, at any moment, what the scoring query computes
from the rating periods then; the write services keep them so, and a change of weight falls
back to computing until they are stored again."""

import re
from datetime import date, timedelta
from itertools import pairwise
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from cities.models import City
from commitments.history import _periods_at_month_ends
from commitments.maps import map_rows
from commitments.models import (
    BEFORE_THE_RECORD,
    Action,
    RatingPeriod,
    ScorePeriod,
    ScorePeriodsBuilt,
)
from commitments.scores import FIGURES, scored_at
from commitments.selectors import HOME_FIGURE_FIELDS
from commitments.services import approve_update, rebuild_score_periods
from tests.conftest import change_weight
from tests.factories import CityFactory, ProgressUpdateFactory, ReviewerFactory, rate
from tests.test_as_of import AS_OF_QUERIES, rated_on

pytestmark = pytest.mark.django_db

INSTANT = timedelta(microseconds=1)
HISTORY_SECTION = re.compile(rb'<section[^>]*aria-labelledby="history-heading">.*?</section>', re.S)


@pytest.fixture
def ratings():
    """Three cities: one rated on several actions at one moment, then changed one by one (an
    update approved after a later one never rates) and on two actions in one instant; one
    rated once; one never rated."""
    rated, once, _never = CityFactory.create_batch(3)
    rate(rated, {"1.1": "in_progress", "2.1": "achieved", "3.1": "not_started"})
    rate(once, {"4.1": "partially_achieved"})
    reviewer = ReviewerFactory()
    for code, status, happened_on in [
        ("1.1", "achieved", date(2024, 2, 1)),
        ("2.1", "reversed", date(2024, 3, 1)),
        ("3.1", "achieved", date(2023, 1, 1)),  # happened before the current rating
        ("5.1", "in_progress", date(2024, 4, 1)),
    ]:
        update = ProgressUpdateFactory(
            city=rated, action=Action.objects.get(code=code), status=status,
            happened_on=happened_on,
        )  # fmt: skip
        approve_update(update, reviewer)
    at_once = [
        ProgressUpdateFactory(
            city=rated,
            action=Action.objects.get(code=code),
            status=status,
            happened_on=date(2024, 5, 1),
        )
        for code, status in [("6.1", "achieved"), ("7.1", "in_progress")]
    ]
    with mock.patch("django.utils.timezone.now", return_value=timezone.now()):
        for update in at_once:
            approve_update(update, reviewer)


PAST_SCORES_CHANGE = "The weights changed, and with them every past score"


def admin_messages(client):
    return client.get(reverse("admin:commitments_action_changelist")).content.decode()


def moments():
    """Every moment a rating changed, an instant either side, and before the record."""
    changes = RatingPeriod.objects.values_list("public_from", flat=True).distinct()
    around = [m + step for m in changes for step in (-INSTANT, timedelta(0), INSTANT)]
    return [BEFORE_THE_RECORD + INSTANT, *sorted(around)]


def figures_at(moment, few=False):
    cities = scored_at(moment, City.objects.order_by("pk"), few)
    return list(cities.values_list("pk", *FIGURES))


def test_the_stored_periods_are_what_the_scoring_query_computes_at_every_moment(ratings):
    """Read for every city at once, and for a page's few cities, each by its last start."""
    assert ScorePeriodsBuilt.objects.exists()
    stored = [figures_at(moment) for moment in moments()]
    stored_each = [figures_at(moment, few=True) for moment in moments()]
    ScorePeriodsBuilt.objects.all().delete()  # the pages then compute from the rating periods
    computed = [figures_at(moment) for moment in moments()]
    assert stored == stored_each == computed
    assert len({str(figures) for figures in stored}) == 1 + 1 + 4 + 1, "before, each change"


def test_an_approval_adds_a_period_from_its_moment(ratings):
    city = City.objects.get(rating_periods__action__code="5.1")
    latest = ScorePeriod.objects.filter(city=city).latest("public_from")
    its_last_rating = RatingPeriod.objects.filter(city=city).order_by("public_from").last()
    assert latest.public_from == its_last_rating.public_from
    assert latest.score == city.stored_score.score > 0
    assert latest.rated_actions == 6  # both of the instant's ratings


def test_each_city_has_its_figures_from_before_the_record(ratings):
    first = ScorePeriod.objects.filter(public_from=BEFORE_THE_RECORD)
    assert sorted(first.values_list("city", flat=True)) == sorted(
        City.objects.values_list("pk", flat=True)
    )
    assert {(period.score, period.rated_actions, period.grade) for period in first} == {
        (0, 0, "incomplete")
    }
    assert ScorePeriod.objects.filter(city=CityFactory(), public_from=BEFORE_THE_RECORD).exists()


def test_each_period_ends_where_the_next_of_its_city_begins(ratings):
    """As the services keep them, and as a rebuild computes them."""
    for _ in range(2):
        for city in City.objects.all():
            periods = list(city.score_periods.order_by("public_from"))
            ends = [period.public_until for period in periods]
            assert ends == [after.public_from for _, after in pairwise(periods)] + [None]
        rebuild_score_periods()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="an exclusion constraint")
def test_two_periods_of_a_city_never_overlap(ratings):
    """Checked as the transaction commits (a write adds a period before it ends the one before):
    checked at once here."""
    period = ScorePeriod.objects.exclude(public_until=None).first()
    period.pk, period.public_until = None, None  # open, from within a closed one
    period.public_from += INSTANT
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        period.save()
        cursor.execute("SET CONSTRAINTS score_periods_do_not_overlap IMMEDIATE")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plan")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_city_s_score_history_reads_its_periods_from_an_index_alone():
    """Their starts, ends, scores and rated actions are in the index of (city, start) (migration
    0031): once the table is vacuumed, as the load and autovacuum leave it, the history's query
    never visits its rows (with sequential and bitmap scans off, the plan the query can take)."""
    city = CityFactory()
    figures = ScorePeriod.objects.filter(city=city).values(*FIGURES).get()
    now = timezone.now()
    starts = [now - timedelta(days=n) for n in range(400, 0, -1)]
    ScorePeriod.objects.filter(city=city).update(public_until=starts[0])
    ScorePeriod.objects.bulk_create(
        ScorePeriod(city=city, public_from=start, public_until=end, **figures)
        for start, end in pairwise([*starts, None])
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE commitments_scoreperiod")
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_bitmapscan = off")
        try:
            plan = _periods_at_month_ends(city, now).explain()
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_bitmapscan")
    assert "Index Only Scan using one_score_per_moment" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plan")
def test_the_cities_periods_at_a_moment_are_found_in_an_index():
    """Every city's at once in the index of spans (4 ms at 1,500 cities), not one search per
    city (15); a page's few cities each by its last start, in the index of (city, start): forty
    cities with forty periods each (with sequential scans off, the plan the query can take)."""
    first = ScorePeriod.objects.filter(public_from=BEFORE_THE_RECORD)
    now = timezone.now()
    starts = [BEFORE_THE_RECORD] + [now - timedelta(days=n) for n in range(39, 0, -1)]
    spans = list(pairwise([*starts, None]))
    periods = []
    for city in CityFactory.create_batch(40):
        figures = first.filter(city=city).values(*FIGURES).get()
        periods += [ScorePeriod(city=city, public_from=start, public_until=end, **figures)
                    for start, end in spans]  # fmt: skip
    ScorePeriod.objects.filter(city__in=[p.city for p in periods]).delete()
    ScorePeriod.objects.bulk_create(periods)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE commitments_scoreperiod")
        cursor.execute("SET LOCAL enable_seqscan = off")
    moment = now - timedelta(days=20, hours=12)
    plan = scored_at(moment, City.objects.all()).explain()
    assert "score_periods_do_not_overlap" in plan, plan
    page = City.objects.filter(pk__in=[periods[0].city_id, periods[-1].city_id])
    plan = scored_at(moment, page, few=True).explain()
    assert "one_score_per_moment" in plan and "score_periods_do_not_overlap" not in plan, plan
    # What the home page's map and a city's standing read of every city, the index alone
    # answers (migration 0030), without visiting the table's rows.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    home_map = map_rows(scored_at(moment, City.objects.all()), *HOME_FIGURE_FIELDS).explain()
    assert "Index Only Scan using score_periods_do_not_overlap" in home_map, home_map


def test_rebuilding_gives_what_the_services_kept(ratings):
    def kept():
        fields = ["city", "public_from", "public_until", *FIGURES]
        return sorted(ScorePeriod.objects.values_list(*fields), key=str)

    before = kept()
    ScorePeriod.objects.all().delete()
    rebuild_score_periods()
    assert kept() == before
    # Before the record; each city's first rating; three changes (one update never rated) and
    # the instant's two.
    assert len(before) == 3 + 2 + 3 + 1


def test_a_change_of_weight_is_computed_at_once_and_stored_after_it_commits(
    staff_client, ratings, django_capture_on_commit_callbacks
):
    moment = ScorePeriod.objects.latest("public_from").public_from + INSTANT
    before = figures_at(moment)
    with django_capture_on_commit_callbacks() as queued:
        change_weight(staff_client, Action.objects.get(code="2.1"), 5)
    assert not ScorePeriodsBuilt.objects.exists()
    computed = figures_at(moment)
    assert computed != before
    assert PAST_SCORES_CHANGE in admin_messages(staff_client)
    for callback in queued:
        callback()  # the rebuild, queued once the weight change commits
    assert ScorePeriodsBuilt.objects.exists()
    assert figures_at(moment) == computed


def test_a_page_kept_while_the_periods_were_built_is_not_sent_once_they_are(client, ratings):
    """The city page says its score over time will be back; once the periods are built, the
    record's version moves, so neither the page cache nor a browser's copy keeps saying so."""
    city = City.objects.get(rating_periods__action__code="5.1")
    ScorePeriodsBuilt.objects.all().delete()  # a change of weight, being computed again
    waiting = client.get(city.get_absolute_url())
    assert b"score over time will be back" in waiting.content
    rebuild_score_periods()
    again = client.get(city.get_absolute_url(), headers={"If-None-Match": waiting["ETag"]})
    assert again.status_code == 200
    assert b"score over time will be back" not in again.content


def test_an_edit_that_keeps_the_weights_keeps_the_score_periods(
    staff_client, ratings, django_capture_on_commit_callbacks
):
    built = ScorePeriodsBuilt.objects.get()
    with django_capture_on_commit_callbacks() as queued:
        change_weight(staff_client, Action.objects.get(code="2.1"), 1)  # its weight already
    assert ScorePeriodsBuilt.objects.get() == built
    assert not queued
    assert PAST_SCORES_CHANGE not in admin_messages(staff_client)


def test_pages_as_of_a_past_day_are_the_same_stored_or_computed(client):
    for name in ("Pastville", "Other"):
        CityFactory(name=name, state="OH", slug=name.lower())
    pastville = City.objects.get(slug="pastville")
    rated_on(pastville, "1.1", "in_progress", date(2021, 3, 1), approved=date(2021, 3, 2))
    rated_on(pastville, "2.1", "achieved", date(2022, 5, 1), approved=date(2022, 5, 2))
    rated_on(pastville, "1.1", "achieved", date(2023, 5, 1), approved=date(2023, 5, 2))

    def pages():
        cache.clear()
        joiner = {True: "&", False: "?"}
        responses = {
            path: client.get(f"{path}{joiner['?' in path]}as_of=2022-06-30")
            for path in AS_OF_QUERIES
        }
        assert {response.status_code for response in responses.values()} == {200}
        return {
            path: b"".join(response) if response.streaming else response.content
            for path, response in responses.items()
        }

    stored = pages()
    ScorePeriodsBuilt.objects.all().delete()
    computed = pages()
    # The score over time is read only from the stored periods: until they are computed again,
    # the city page says so instead (the rest of the page is the same).
    city_page = "/cities/oh/pastville/"
    assert b"score over time will be back" in computed[city_page]
    for content in (stored[city_page], computed[city_page]):
        assert content.count(b'aria-labelledby="history-heading"') == 1
    stored[city_page], computed[city_page] = (
        HISTORY_SECTION.sub(b"", pages[city_page]) for pages in (stored, computed)
    )
    assert computed == stored
