"""The record as it stood at the end of a past day: scores from the same scored query as
today's, counting what had happened and had been approved by then."""

import csv
import io
import re
from datetime import date, datetime, time
from unittest import mock

import pytest
from django.utils import timezone

from cities.models import City
from commitments import selectors, views
from commitments.as_of import keep_the_day
from commitments.models import (
    Action,
    Evidence,
    Pledge,
    PledgeStatus,
    ProgressUpdate,
    ReviewState,
)
from commitments.pagination import Pagination
from commitments.scores import ScoredByPage, cities_signed_on, people_as_of, scored_as_of
from commitments.scoring import Status
from commitments.services import refresh_current_status
from tests.factories import CityFactory, MayorFactory, rate, reviewer
from tests.url_list import public_urls, url_for

pytestmark = pytest.mark.django_db

FIGURES = ["score", "score_exact", "grade", "graded", "rated_actions", "total_actions",
           "achieved_actions", "reversed_actions", "last_updated", "principle_scores",
           "mayor_name", "pledge_status", "score_numerator"]  # fmt: skip


def at_noon(day):
    return datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone())


def approved_on(day, model, **fields):
    """A submission approved at noon on `day` (submission times are stamped on save, so the
    clock is set back while it is saved)."""
    staff = reviewer()
    with mock.patch("django.utils.timezone.now", return_value=at_noon(day)):
        return model.objects.create(
            submitted_by=staff, review_state=ReviewState.APPROVED, reviewed_by=staff,
            reviewed_at=at_noon(day), **fields,
        )  # fmt: skip


def rated_on(city, code, status, happened_on, approved):
    action = Action.objects.get(code=code)
    approved_on(approved, ProgressUpdate, city=city, action=action, status=status,
                summary="Rated.", happened_on=happened_on)  # fmt: skip
    refresh_current_status(city.pk, action.pk)


def figures(cities):
    return {city.pk: tuple(getattr(city, name) for name in FIGURES) for city in cities}


def as_of(city, day):
    return scored_as_of(day).get(pk=city.pk)


def test_as_of_today_every_figure_is_todays():
    every_action = {action.code: Status.ACHIEVED for action in Action.objects.all()}
    mixed = {"1.1": Status.REVERSED, "2.2": Status.IN_PROGRESS}
    for statuses in ({}, {"1.1": Status.ACHIEVED}, mixed, every_action):
        city = CityFactory()
        MayorFactory(city=city)
        rate(city, statuses)
    today = timezone.localdate()
    assert figures(scored_as_of(today)) == figures(City.objects.with_scores())


def test_an_update_counts_from_the_day_it_was_approved():
    city = CityFactory()
    rated_on(city, "1.1", Status.ACHIEVED, date(2020, 7, 1), approved=date(2022, 6, 15))
    assert as_of(city, date(2022, 6, 14)).rated_actions == 0
    assert as_of(city, date(2022, 6, 15)).achieved_actions == 1  # approved at noon that day


def test_a_late_approval_of_an_older_event_does_not_replace_a_newer_one():
    city = CityFactory()
    rated_on(city, "1.1", Status.ACHIEVED, date(2020, 5, 1), approved=date(2020, 5, 2))
    rated_on(city, "1.1", Status.REVERSED, date(2019, 1, 1), approved=date(2021, 6, 1))
    rated_on(city, "1.1", Status.IN_PROGRESS, date(2022, 1, 1), approved=date(2022, 1, 2))
    assert as_of(city, date(2021, 12, 31)).achieved_actions == 1
    then = as_of(city, date(2022, 1, 2))
    assert (then.achieved_actions, then.reversed_actions, then.rated_actions) == (0, 0, 1)
    assert then.principle_scores[0]["points"] == 25


def test_the_mayor_and_pledge_are_those_of_the_day():
    city = CityFactory()
    former = MayorFactory(city=city, name="Former", term_start=date(2014, 1, 1),
                          term_end=date(2022, 1, 1))  # fmt: skip
    sitting = MayorFactory(city=city, name="Sitting", term_start=date(2022, 1, 1))
    approved_on(date(2016, 3, 1), Pledge, mayor=former, status=PledgeStatus.SIGNED,
                date=date(2016, 2, 1), source_url="https://example.org/signed")  # fmt: skip
    approved_on(date(2023, 4, 2), Pledge, mayor=sitting, status=PledgeStatus.DECLINED,
                date=date(2023, 3, 1), source_url="https://example.org/declined")  # fmt: skip

    def then(day):
        city_then = as_of(city, day)
        return city_then.mayor_name, city_then.pledge_status

    assert then(date(2015, 1, 1)) == ("Former", PledgeStatus.NOT_ASKED)
    assert then(date(2020, 1, 1)) == ("Former", PledgeStatus.SIGNED)
    assert then(date(2022, 6, 1)) == ("Sitting", PledgeStatus.NOT_ASKED)  # a new mayor: unsigned
    assert then(date(2023, 3, 15)) == ("Sitting", PledgeStatus.NOT_ASKED)  # not yet approved
    assert then(date(2023, 4, 2)) == ("Sitting", PledgeStatus.DECLINED)
    # The home page counts the mayors who had signed by then.
    signed = {day: selectors.home_figures([], day)["mayors_signed"]
              for day in (date(2020, 1, 1), date(2022, 6, 1))}  # fmt: skip
    assert signed == {date(2020, 1, 1): 1, date(2022, 6, 1): 0}


def test_the_home_page_counts_the_cities_whose_latest_record_then_is_a_signature():
    """`cities_signed_on` ranks the records within each city; it counts what `people_as_of`
    says of each city, whatever came before or after the day."""
    undone, handed_over, never = (CityFactory() for _ in range(3))
    mayor = MayorFactory(city=undone, term_start=date(2018, 1, 1))
    for approved, status in ((date(2019, 1, 2), PledgeStatus.SIGNED),
                             (date(2021, 1, 2), PledgeStatus.DECLINED)):  # fmt: skip
        approved_on(approved, Pledge, mayor=mayor, status=status, date=approved,
                    source_url="https://example.org/record")  # fmt: skip
    # A handover on 2022-01-01: both mayors serve that day; the latest record is the new one's.
    former = MayorFactory(city=handed_over, term_start=date(2014, 1, 1), term_end=date(2022, 1, 1))
    sitting = MayorFactory(city=handed_over, term_start=date(2022, 1, 1))
    approved_on(date(2020, 1, 2), Pledge, mayor=former, status=PledgeStatus.SIGNED,
                date=date(2020, 1, 1), source_url="https://example.org/former")  # fmt: skip
    approved_on(date(2022, 1, 1), Pledge, mayor=sitting, status=PledgeStatus.URGED,
                date=date(2022, 1, 1), source_url="https://example.org/sitting")  # fmt: skip
    MayorFactory(city=never, term_start=date(2010, 1, 1))
    # Two records of one day: the later one (by id) is the status, a refusal here.
    same_day = MayorFactory(term_start=date(2010, 1, 1))
    for status in (PledgeStatus.SIGNED, PledgeStatus.DECLINED):
        approved_on(date(2020, 6, 1), Pledge, mayor=same_day, status=status,
                    date=date(2020, 6, 1), source_url="https://example.org/same-day")  # fmt: skip

    def signed(day):
        return {city.pk for city in people_as_of(day) if city.pledge_status == PledgeStatus.SIGNED}

    days = [date(2019, 1, 1), date(2019, 1, 2), date(2020, 6, 1), date(2021, 1, 2),
            date(2021, 12, 31), date(2022, 1, 1), date(2022, 1, 2)]  # fmt: skip
    counted = {day: cities_signed_on(day) for day in days}
    assert counted == {day: len(signed(day)) for day in days}
    assert counted == {date(2019, 1, 1): 0, date(2019, 1, 2): 1, date(2020, 6, 1): 2,
                       date(2021, 1, 2): 1, date(2021, 12, 31): 1, date(2022, 1, 1): 0,
                       date(2022, 1, 2): 0}  # fmt: skip


@pytest.fixture
def history():
    """A city rated in 2021 and again in 2023, with a mayor who took office in 2022."""
    city = CityFactory(name="Pastville", state="OH", slug="pastville")
    MayorFactory(
        city=city, name="Old Mayor", term_start=date(2010, 1, 1), term_end=date(2022, 1, 1)
    )
    MayorFactory(city=city, name="New Mayor", term_start=date(2022, 1, 1))
    rated_on(city, "1.1", Status.IN_PROGRESS, date(2021, 3, 1), approved=date(2021, 3, 2))
    rated_on(city, "1.1", Status.ACHIEVED, date(2023, 5, 1), approved=date(2023, 5, 2))
    return city


def get(client, path, day):
    response = client.get(path, {"as_of": day})
    return response, response.content.decode()


def test_a_city_page_as_of_a_past_day_shows_the_record_then(client, history):
    response, body = get(client, "/cities/oh/pastville/", "2022-06-30")
    assert response.status_code == 200
    assert 'as it stood at the end of <time datetime="2022-06-30">June 30, 2022</time>' in body
    assert '<span class="status status-in_progress">In progress</span>' in body
    assert "status-achieved" not in body
    assert "<strong>New Mayor</strong>" in body  # in office since January 2022
    assert "May 1, 2023" not in body  # the later update is not in the timeline yet
    # Links inside keep the day; the way back to today does not.
    assert 'href="/cities/?state=OH&amp;sort=-score&amp;as_of=2022-06-30"' in body
    assert '<a data-as-of="today" href="/cities/oh/pastville/">See it as it is today</a>' in body


def test_the_scorecard_as_of_a_past_day_scores_cities_as_they_stood(client, history):
    _response, body = get(client, "/cities/", "2021-12-31")
    assert 'href="/cities/oh/pastville/?as_of=2021-12-31"' in body
    assert '<td class="principle-cell shade-0">5</td>' in body  # in progress: 25 of 500 points
    assert '<input type="hidden" name="as_of" value="2021-12-31">' in body
    _response, body = get(client, "/cities/", "2023-05-02")
    assert '<td class="principle-cell shade-1">20</td>' in body


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2999-01-01", "2999-01-01 has not happened yet: choose a day up to today."),
        ("2020-01-01", "The public record begins on March 2, 2021"),
        ("31/12/2022", "Enter a valid date."),
    ],
)
def test_a_day_the_record_cannot_show_gets_a_clear_message(client, history, day, message):
    for path in ("/cities/", "/cities/oh/pastville/"):
        response, body = get(client, path, day)
        assert response.status_code == 400
        assert message in body


# Queries per as-of page, download, feed and API list, whatever the number of cities. (The city
# page, its API scorecard and the grid read the cities' own reports, and the page whether the
# city had a verified official; the principles' averages sum the cities' figures then first.)
AS_OF_QUERIES = {
    "/": 7, "/cities/": 7, "/cities/oh/pastville/": 20, "/cities/oh/pastville/pledge/": 9,
    "/grid/": 11, "/map/": 4, "/compare/?cities=oh/pastville,oh/other": 8, "/principles/": 6,
    "/principles/accountability/": 7, "/updates/": 10, "/updates/feed/": 4,
    "/data/cities.csv": 7, "/data/updates.csv": 6, "/api/cities/": 6,
    "/api/cities/oh/pastville/": 11, "/api/updates/": 4, "/api/evidence/": 3, "/api/pledges/": 3,
}  # fmt: skip


def test_as_of_reads_run_a_fixed_number_of_queries(client, history, django_assert_num_queries):
    CityFactory(name="Other", state="OH", slug="other")
    for extra in range(2):
        if extra:
            rate(CityFactory(), {"1.1": Status.ACHIEVED, "2.1": Status.IN_PROGRESS})
        for path, queries in AS_OF_QUERIES.items():
            joiner = "&" if "?" in path else "?"
            with django_assert_num_queries(queries):
                response = client.get(f"{path}{joiner}as_of=2022-06-30")
                assert response.status_code == 200, path
                b"".join(getattr(response, "streaming_content", []))


@pytest.fixture
def towns(history):
    """Nine more cities in two states, of three sizes, led and rated differently over the
    years; two share a name and a size."""
    for n in range(7):
        town = CityFactory(name=f"Town {n}", state="OH" if n % 2 else "MI",
                           population=[60_000, 120_000, 400_000][n % 3])  # fmt: skip
        MayorFactory(city=town, name=f"Mayor {n}", term_start=date(2015 + n, 1, 1))
        if n % 3:
            status = Status.ACHIEVED if n % 2 else Status.IN_PROGRESS
            rated_on(town, "1.1", status, date(2020, 1, 1), approved=date(2020 + n % 4, 1, 2))
    for state in ("OH", "MI"):
        twin = CityFactory(name="Twinville", state=state, population=120_000)
        rated_on(twin, "2.1", Status.ACHIEVED, date(2021, 1, 1), approved=date(2021, 1, 2))


LISTS = ["/cities/", "/grid/", "/api/cities/"]
PLAIN_QUERIES = [
    {}, {"sort": "-name", "page": "2"}, {"sort": "population", "page": "2"}, {"page": "99"},
    {"q": "Mayor 3"}, {"state": "OH", "sort": "-population"}, {"population": "100k"},
    {"pledge_status": "not_asked", "page": "2"}, {"view": "principles", "principle": "2"},
    {"sort": "bogus", "page": "2"},
]  # fmt: skip
FIGURE_QUERIES = [{"sort": "-score"}, {"grade": "F"}]


@pytest.mark.parametrize("url", LISTS)
def test_a_list_as_of_a_past_day_scores_its_page_as_scoring_every_city_would(
    client, towns, settings, monkeypatch, url
):
    """Unless asked for a figure (a sort by one, a grade), a list as of a past day is counted
    and ordered without figures and scores only its page (`scores.ScoredByPage`): the same
    bytes as scoring every city first, on pages of three."""
    settings.PAGE_CACHE_SECONDS = 0
    paged = views.paginate
    monkeypatch.setattr(
        views, "paginate", lambda request, items, per_page=0: paged(request, items, 3)
    )
    monkeypatch.setattr(Pagination, "page_size", 3)
    scored_pages = []
    score_page = ScoredByPage.__getitem__
    monkeypatch.setattr(
        ScoredByPage,
        "__getitem__",
        lambda self, rows: scored_pages.append(rows) or score_page(self, rows),
    )
    answers, day = {}, "2022-06-30"  # some towns rated, some not yet
    for query in PLAIN_QUERIES + FIGURE_QUERIES:
        scored_pages.clear()
        answers[str(query)] = response = client.get(url, {**query, "as_of": day})
        shown = response.status_code == 200  # the API has no page 99 (404)
        assert bool(scored_pages) == (query in PLAIN_QUERIES and shown), query
    monkeypatch.setattr(selectors, "reads_figures", lambda query: True)  # every city scored
    for query in PLAIN_QUERIES:
        every_city = client.get(url, {**query, "as_of": day})
        page_only = answers[str(query)]
        assert (page_only.status_code, page_only.content) == (
            every_city.status_code,
            every_city.content,
        ), query


def test_the_home_page_as_of_a_past_day_counts_what_stood_then(client, history):
    achieved = r"Actions achieved</dt><dd[^>]*>(\d+)</dd>"
    _response, body = get(client, "/", "2021-12-31")
    assert 'href="/cities/oh/pastville/?as_of=2021-12-31"' in body  # its marker on the map
    assert re.search(achieved, body)[1] == "0"
    _response, body = get(client, "/", "2023-06-01")
    assert re.search(achieved, body)[1] == "1"


@pytest.mark.parametrize(("name", "args"), [url for url in public_urls() if url[0] != "healthz"])
def test_every_public_url_refuses_a_day_it_cannot_show(client, record, name, args):
    response = client.get(url_for(name, args, record), {"as_of": "2999-01-01"})
    assert response.status_code == 400
    message = "2999-01-01 has not happened yet: choose a day up to today."
    if name.startswith("api:"):
        assert response.json() == {"as_of": [message]}
    else:
        assert message in response.content.decode()


@pytest.fixture
def evidence_of_each_step(history):
    """Pastville's evidence: an item approved with each of its two steps."""
    for day, title in ((date(2021, 3, 2), "Task force formed"), (date(2023, 5, 2), "Law passed")):
        approved_on(day, Evidence, city=history, title=title, url=f"https://example.org/{day}",
                    publisher="City", published_on=day, kind="ordinance")  # fmt: skip
    return history


BEFORE_THE_LAW = "2022-06-30"


def at(client, path, **query):
    response = client.get(path, {"as_of": BEFORE_THE_LAW, **query})
    assert response.status_code == 200, path
    return response


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.getvalue().decode())))


def test_the_api_and_downloads_as_of_a_past_day_hold_the_record_then(client, evidence_of_each_step):
    (city,) = at(client, "/api/cities/").json()["results"]
    assert city["principle_scores"][0]["score"] == 5  # in progress: 25 of 500 points
    scorecard = at(client, "/api/cities/oh/pastville/").json()
    assert scorecard["principles"][0]["actions"][0]["status"] == Status.IN_PROGRESS
    assert [mayor["name"] for mayor in scorecard["mayors"]] == ["New Mayor", "Old Mayor"]
    assert at(client, "/api/updates/").json()["results"][0]["status"] == Status.IN_PROGRESS
    assert len(at(client, "/api/updates/").json()["results"]) == 1
    evidence = at(client, "/api/evidence/").json()["results"]
    assert [item["title"] for item in evidence] == ["Task force formed"]
    assert csv_rows(at(client, "/data/cities.csv"))[0]["principle_1_score"] == "5"
    assert [row["status"] for row in csv_rows(at(client, "/data/updates.csv"))] == [
        Status.IN_PROGRESS
    ]
    assert [row["title"] for row in csv_rows(at(client, "/data/evidence.csv"))] == [
        "Task force formed"
    ]
    assert at(client, "/updates/feed/").content.decode().count("<entry>") == 1
    assert at(client, "/cities/oh/pastville/feed/").content.decode().count("<entry>") == 1
    # Today, the same addresses hold the later step.
    (city,) = client.get("/api/cities/").json()["results"]
    assert city["principle_scores"][0]["score"] == 20


def test_the_pages_as_of_a_past_day_show_the_record_then(client, evidence_of_each_step):
    other = CityFactory(name="Othertown", state="OH", slug="othertown")
    principle = at(client, "/principles/").context["principles"][0]
    assert principle.average == 3  # (5 + 0) / 2, rounded half up
    ranking = at(client, f"/principles/{principle.slug}/").context["page"]
    assert [(city.name, city.principle_score) for city in ranking] == [
        ("Pastville", 5),
        ("Othertown", 0),
    ]
    assert len(at(client, "/updates/").context["page"].object_list) == 1
    grid = at(client, "/grid/", state="OH").context["rows"]
    assert [row.cells[0].status for row in grid] == [None, Status.IN_PROGRESS]
    compared = at(client, "/compare/", cities=f"oh/pastville,oh/{other.slug}")
    first_action = compared.context["comparison"].principles[0].actions[0]
    assert [cell.status for cell in first_action.cells] == [Status.IN_PROGRESS, None]
    pledge_page = client.get("/cities/oh/pastville/pledge/", {"as_of": "2021-06-30"})
    assert pledge_page.context["mayor"].name == "Old Mayor"


def test_every_public_page_offers_a_past_day_keeping_its_filters(client, history):
    body = client.get("/cities/", {"state": "OH", "page": "2", "as_of": "2022-06-30"})
    body = body.content.decode()
    assert '<input type="hidden" name="state" value="OH">' in body
    assert 'name="page"' not in body.split('aria-label="The record on a past day"')[1]
    assert 'name="as_of" class="form-control form-control-sm w-auto" value="2022-06-30"' in body
    advocate_login = client.get("/accounts/login/").content.decode()
    assert "The record on a past day" not in advocate_login


def test_links_keep_the_day_before_their_fragment_and_only_where_they_lead_to_the_record():
    day = date(2022, 6, 30)
    kept = {
        '<a href="/cities/oh/x/#action-1-2" class="y">': (
            '<a href="/cities/oh/x/?as_of=2022-06-30#action-1-2" class="y">'
        ),
        '<a class="y" href="/cities/?state=OH">': (
            '<a class="y" href="/cities/?state=OH&amp;as_of=2022-06-30">'
        ),
        '<a href="/es/updates/">': '<a href="/es/updates/?as_of=2022-06-30">',
    }
    unchanged = [
        '<a href="/cities/?as_of=2021-01-01">',  # already has a day
        '<a data-as-of="today" href="/cities/oh/x/">',
        '<a href="/cities/oh/x/" data-as-of="today">',
        '<a href="/static/site.css">', '<a href="/api/cities/">', '<a href="/admin/">',
        '<a href="/advocate/">', '<a href="/es/accounts/login/">', '<a href="//example.org/">',
        '<a href="https://example.org/cities/">', '<area href="/cities/">',
    ]  # fmt: skip
    for link, expected in kept.items():
        assert keep_the_day(f"<p>{link}x</a></p>", day) == f"<p>{expected}x</a></p>"
    for link in unchanged:
        assert keep_the_day(link, day) == link
