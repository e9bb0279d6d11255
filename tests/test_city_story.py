"""A city page's story: its standing among all cities and its peers, its score over time,
what would raise its score, and the figures as pictures with the same data in text."""

import html
import re
from datetime import date, datetime, time
from unittest import mock

import pytest
from django.utils import timezone

from cities.models import City
from cities.population import POPULATION_BANDS, band_of
from commitments.history import month_ends, score_history
from commitments.models import Action, ProgressUpdate, ReviewState
from commitments.scores import ranked, scored_as_of
from commitments.scoring import Status, minimum_rated_for_grade
from commitments.selectors import current_statuses, framework, principle_cards
from commitments.services import refresh_current_status
from commitments.standing import standing
from commitments.story import raise_the_grade, summary
from tests.factories import (
    ApprovedUpdateFactory,
    CityFactory,
    PoliceKillingFactory,
    ProgressUpdateFactory,
    rate,
    reviewer,
)

pytestmark = pytest.mark.django_db


def scored(city):
    return City.objects.with_scores().get(pk=city.pk)


def standing_of(city):
    return standing(scored(city), City.objects.with_scores())


def cards_of(city):
    city = scored(city)
    return city, principle_cards(city, list(framework()), current_statuses(city))


def page(client, city):
    response = client.get(city.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def words(content):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def test_population_bands_cover_every_population_once():
    for population in (0, 49_999, 50_000, 99_999, 100_000, 999_999, 1_000_000, 9_000_000):
        assert sum(band.contains(population) for band in POPULATION_BANDS) == 1
    assert band_of(None) is None
    assert band_of(250_000).key == "250k"


def test_ranks_share_ties_and_count_peers_and_state():
    achieved = {"1.1": Status.ACHIEVED}
    top = [CityFactory(state="MN", population=150_000) for _ in range(3)]
    for city in top:
        rate(city, achieved)
    fourth = CityFactory(state="MN", population=150_000)
    rate(fourth, {"1.1": Status.IN_PROGRESS})
    CityFactory(state="GA", population=2_000_000)  # nothing rated, another state and band

    first = standing_of(top[0])
    assert (first.overall.position, first.overall.tied, first.overall.total) == (1, 3, 5)
    assert (first.state.position, first.state.total) == (1, 4)
    assert first.band.key == "100k"
    assert (first.peers.position, first.peers.others_tied, first.peers.total) == (1, 2, 4)
    last = standing_of(fourth)
    assert (last.overall.position, last.overall.tied) == (4, 1)
    assert last.peers_median == scored(top[0]).score  # three of the four peers share it


def test_a_graded_city_ranks_ahead_of_a_provisional_one_with_a_higher_score():
    graded = CityFactory()
    rate(graded, {action.code: Status.IN_PROGRESS for action in Action.objects.all()})
    provisional = CityFactory()
    rated_but_one = Action.objects.all()[: minimum_rated_for_grade(Action.objects.count()) - 1]
    rate(provisional, {action.code: Status.ACHIEVED for action in rated_but_one})
    assert scored(provisional).score > scored(graded).score
    assert standing_of(graded).overall.position == 1
    assert standing_of(provisional).overall.position == 2


def test_a_city_without_a_population_has_no_peers():
    city = CityFactory(population=None)
    CityFactory(population=None)
    assert standing_of(city).peers is None
    assert standing_of(city).nearest_peers == []


def test_the_nearest_peers_are_the_closest_in_population_within_the_band():
    city = CityFactory(population=150_000)
    near, nearer, far = (CityFactory(population=population)
                         for population in (170_000, 140_000, 240_000))  # fmt: skip
    CityFactory(population=260_000)  # another band
    assert standing_of(city).nearest_peers == [nearer, near, far]


def test_month_ends_run_from_the_first_month_to_the_last():
    months = list(month_ends(date(2023, 11, 20), date(2024, 2, 3)))
    assert [last for _first, last in months] == [
        date(2023, 11, 30), date(2023, 12, 31), date(2024, 1, 31), date(2024, 2, 29),
    ]  # fmt: skip


def published(city, code, status, happened_on, approved_on, at=time(12)):
    """An update approved on a given day (at noon, or `at`): the review flow stamps now, the
    history needs the past (submission times are stamped on save, so the clock is set back while
    it is saved)."""
    action = Action.objects.get(code=code)
    staff = reviewer()
    approved_at = datetime.combine(approved_on, at, tzinfo=timezone.get_current_timezone())
    with mock.patch("django.utils.timezone.now", return_value=approved_at):
        ProgressUpdate.objects.create(
            city=city, action=action, status=status, summary="Rated.", happened_on=happened_on,
            submitted_by=staff, review_state=ReviewState.APPROVED, reviewed_by=staff,
            reviewed_at=approved_at,
        )  # fmt: skip
    refresh_current_status(city.pk, action.pk)


def history_of(city):
    history = score_history(city, timezone.localdate())
    assert history[-1].month == timezone.localdate().replace(day=1)
    assert (history[-1].score, history[-1].rated) == (
        scored(city).score,
        scored(city).rated_actions,
    )
    return {month.month: (month.score, month.rated) for month in history}


def test_the_score_history_follows_the_log_and_ends_at_todays_score():
    city = CityFactory()
    published(city, "1.1", Status.ACHIEVED, date(2023, 1, 10), date(2023, 1, 12))
    published(city, "1.1", Status.REVERSED, date(2023, 3, 5), date(2023, 3, 6))
    published(city, "2.1", Status.PARTIALLY_ACHIEVED, date(2023, 3, 20), date(2023, 3, 21))
    ProgressUpdateFactory(  # pending: never part of the history
        city=city, action=Action.objects.get(code="3.1"), happened_on=date(2023, 2, 1)
    )
    history = history_of(city)
    assert min(history) == date(2023, 1, 1)
    # January: 1.1 achieved, one of five equally weighted actions of principle 1: 20 / 7.
    months = [date(2023, 1, 1), date(2023, 2, 1), date(2023, 3, 1)]
    assert [history[month] for month in months] == [(3, 1), (3, 1), (2, 2)]


def test_an_update_counts_from_when_it_was_approved_and_a_late_one_rewrites_nothing():
    city = CityFactory()
    published(city, "1.1", Status.ACHIEVED, date(2020, 5, 1), date(2020, 5, 2))
    # Happened before the first, approved a year later: 1.1's status stays the later event's.
    published(city, "1.1", Status.REVERSED, date(2019, 1, 1), date(2021, 6, 1))
    # Happened in 2020, approved in 2022: it shows from June 2022 only.
    published(city, "2.1", Status.ACHIEVED, date(2020, 7, 1), date(2022, 6, 15))
    history = history_of(city)
    assert min(history) == date(2020, 5, 1)
    assert history[date(2021, 6, 1)] == history[date(2020, 5, 1)] == (3, 1)
    assert history[date(2022, 5, 1)] == (3, 1)
    assert history[date(2022, 6, 1)] == (6, 2)  # 20 / 7 + 25 / 7, rounded


def test_each_month_of_the_history_is_the_record_as_of_its_last_day():
    """What the pages as of that day say, and as of a past day the history ends on it."""
    city = CityFactory()
    published(city, "1.1", Status.ACHIEVED, date(2022, 11, 30), date(2022, 11, 30))
    published(city, "2.1", Status.IN_PROGRESS, date(2022, 12, 1), date(2022, 12, 1))
    published(city, "1.1", Status.REVERSED, date(2023, 1, 5), date(2023, 1, 31))
    published(city, "3.1", Status.ACHIEVED, date(2023, 2, 2), date(2023, 2, 3))
    published(city, "3.1", Status.IN_PROGRESS, date(2023, 2, 10), date(2023, 2, 11))
    published(city, "4.1", Status.ACHIEVED, date(2023, 1, 20), date(2023, 4, 1))
    # Late on a month's last day (the next month already in UTC), then just after it ends.
    published(city, "5.1", Status.ACHIEVED, date(2023, 4, 30), date(2023, 4, 30), time(23, 30))
    published(city, "6.1", Status.ACHIEVED, date(2023, 5, 1), date(2023, 5, 1), time(2))
    day = date(2023, 5, 1)
    history = score_history(city, day)
    assert [month.month for month in history] == [
        first for first, _last in month_ends(date(2022, 11, 1), day)
    ]
    for month, (_first, last) in zip(history, month_ends(date(2022, 11, 1), day), strict=True):
        then = scored_as_of(min(last, day)).get(pk=city.pk)
        assert (month.score, month.rated) == (then.score, then.rated_actions), month
    assert [month.rated for month in history] == [1, 2, 2, 3, 3, 5, 6]


def test_what_would_raise_the_grade_adds_exactly_what_achieving_it_does(client):
    city = CityFactory()
    rate(city, {"1.1": Status.ACHIEVED, "2.1": Status.IN_PROGRESS, "3.1": Status.REVERSED})
    scored_city, cards = cards_of(city)
    gains = raise_the_grade(scored_city, cards)

    assert len(gains) == 26  # every action but the achieved one
    assert [gain.points for gain in gains] == sorted((gain.points for gain in gains), reverse=True)
    by_code = {gain.row.action.code: gain.points for gain in gains}
    assert by_code["2.1"] == by_code["2.2"] * 3 / 4  # in progress already earns 25 of 100
    assert by_code["3.1"] == by_code["3.2"]  # reversed earns nothing, like no information
    best = gains[0]
    ApprovedUpdateFactory(city=city, action=best.row.action, happened_on=date(2025, 1, 1))
    assert scored(city).score == best.score
    assert scored(city).grade == best.grade


def test_each_gain_and_each_action_s_row_reads_in_words_in_either_language(client):
    city = CityFactory()
    rate(city, {"1.1": Status.ACHIEVED, "2.1": Status.IN_PROGRESS}, happened_on=date(2024, 3, 1))
    scored_city, cards = cards_of(city)
    best = raise_the_grade(scored_city, cards)[0]
    code, title = best.row.action.code, best.row.action.title
    content = page(client, city)
    said = words(content)

    assert best.points_shown != int(best.points_shown)  # a decimal, written as each language does
    shown = f"+{best.points_shown} points: {code} {title} (now No information ; achieving it"
    assert f"{shown} would make the score {best.score})" in said
    assert f"Achieved when: {best.row.action.achieved_when}" in said
    row = content.split('<tr id="action-2-1"')[1].split("</tr>")[0]
    assert words(row.partition(">")[2]).startswith("2.1 Racial bias training In progress Mar 1,")
    assert 'data-label="What happened"' in row
    spanish = words(client.get(f"/es{city.get_absolute_url()}").content.decode())
    assert f"+{str(best.points_shown).replace('.', ',')} puntos" in spanish
    assert "Sin información" in spanish


def test_the_summary_counts_statuses_and_names_the_strongest_and_weakest_principles():
    city = CityFactory()
    rate(city, {"1.1": Status.ACHIEVED, "1.2": Status.ACHIEVED, "2.1": Status.IN_PROGRESS})
    _city, cards = cards_of(city)
    told = summary(cards)
    counts = told.counts
    assert (counts["achieved"], counts["in_progress"], counts["unresearched"]) == (2, 1, 24)
    assert (counts["reversed"], told.total) == (0, 27)
    assert [principle.number for principle in told.strongest] == [1]
    assert [principle.number for principle in told.weakest] == [3, 4, 5, 6, 7]


def test_the_city_page_tells_its_story_first(client):
    city = CityFactory(name="Storyville", population=120_000)
    rate(city, {"1.1": Status.ACHIEVED, "2.1": Status.IN_PROGRESS}, happened_on=date(2024, 3, 1))
    rival = CityFactory(population=130_000)
    rate(rival, {"1.1": Status.ACHIEVED, "1.2": Status.ACHIEVED})
    PoliceKillingFactory(city=city, date=date(2022, 5, 1), race="Black")
    PoliceKillingFactory(city=city, date=date(2023, 5, 1), race="White")
    PoliceKillingFactory(city=city, date=date(2023, 6, 1), race="Black")
    content = page(client, city)
    said = words(content)

    assert "Ranked 2nd of 2 cities" in said
    compare = f"/compare/?cities=mn/storyville,mn/{rival.slug}"
    assert f'href="{compare}"' in content  # the peers closest in size
    assert "2nd of 2 cities of 100,000 to 249,999 people" in said
    assert "Storyville has achieved 1 of the 27 actions; 1 is in progress." in said
    assert "It is strongest on Ensure Police Are Accountable to the Community" in said
    assert "25 actions have not been researched yet." in said
    assert 'href="#principle-1"' in content and 'id="principle-1"' in content
    assert 'href="#action-1-2"' in content and 'id="action-1-2"' in content  # a gain's link
    # The score over time: a picture with a name, and the same figures in a table.
    chart = r'<svg class="chart"[^>]*role="img"[^>]*aria-labelledby="history-title'
    assert re.search(chart, content)
    month = timezone.localdate().strftime("%B %Y")
    assert f"{month} 4 2" in said  # rated (approved) this month: score 4, 2 actions rated
    # People killed by police: per year as columns labelled with their counts, by race as bars.
    assert re.search(r"<title id=\"killings-title\">People killed by police in Storyville", content)
    assert "2022: 1; 2023: 2." in said
    assert "Black 2" in said and "White 1" in said


def test_the_principle_bars_carry_their_scores_as_text(client):
    city = CityFactory()
    rate(city, {"1.1": Status.ACHIEVED, "1.2": Status.ACHIEVED})
    said = words(page(client, city))
    assert "1. Ensure Police Are Accountable to the Community 40 of 100" in said


def test_years_without_a_killing_are_shown_as_zero_through_the_datas_latest_year(client):
    city = CityFactory(name="Gapton")
    PoliceKillingFactory(city=city, date=date(2019, 5, 1))
    PoliceKillingFactory(city=city, date=date(2021, 5, 1))
    PoliceKillingFactory(date=date(2023, 1, 1))  # elsewhere: the data runs through 2023
    said = words(page(client, city))
    assert "2019: 1; 2020: 0; 2021: 1; 2022: 0; 2023: 0." in said


def test_a_city_page_s_rank_is_the_scorecard_s_rank():
    every_action = [action.code for action in Action.objects.all()]
    for statuses in ({}, {"1.1": Status.ACHIEVED}, {"1.1": Status.ACHIEVED},
                     dict.fromkeys(every_action, Status.IN_PROGRESS),
                     dict.fromkeys(every_action, Status.IN_PROGRESS),
                     dict.fromkeys(every_action[:17], Status.ACHIEVED)):  # fmt: skip
        rate(CityFactory(), statuses)
    for city in ranked(City.objects.with_scores()):
        assert standing(city, City.objects.with_scores()).overall.position == city.rank, city


def test_the_score_history_breaks_ties_as_the_current_status_does():
    """Among updates that happened on the same day, the one approved last is the latest, and
    among those approved at the same moment, the one logged last (`ProgressUpdate.LATEST_FIRST`)."""
    city = CityFactory()
    # Logged first but approved last: it is the latest of the two.
    published(city, "1.1", Status.ACHIEVED, date(2023, 1, 10), date(2023, 2, 20))
    published(city, "1.1", Status.REVERSED, date(2023, 1, 10), date(2023, 2, 5))
    # Approved at the same moment: the one logged last is the latest.
    published(city, "2.1", Status.REVERSED, date(2023, 4, 10), date(2023, 4, 12))
    published(city, "2.1", Status.IN_PROGRESS, date(2023, 4, 10), date(2023, 4, 12))
    history = history_of(city)
    assert min(history) == date(2023, 2, 1)
    assert history[date(2023, 2, 1)] == (3, 1)  # 1.1 achieved: 20 / 7
    assert history[date(2023, 4, 1)] == (4, 2)  # and 2.1 in progress: 20 / 7 + 25 / 28
