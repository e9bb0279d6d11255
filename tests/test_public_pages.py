"""The public pages, read as an anonymous visitor would."""

import html
import re
from datetime import date

import pytest
from django.urls import reverse

from commitments.models import Action, PledgeStatus
from commitments.scoring import GRADES, POINTS, Status
from commitments.services import reject_update
from tests.factories import (
    ApprovedPledgeFactory,
    ApprovedUpdateFactory,
    CityFactory,
    EvidenceFactory,
    MayorFactory,
    ProgressUpdateFactory,
    StaffFactory,
    rate,
)

pytestmark = pytest.mark.django_db


def action(code):
    return Action.objects.get(code=code)


def text(response):
    return response.content.decode()


@pytest.fixture
def minneapolis():
    city = CityFactory(name="Minneapolis", state="MN", population=425_000)
    mayor = MayorFactory(city=city, name="Jo Mayor")
    ApprovedPledgeFactory(mayor=mayor, status=PledgeStatus.SIGNED, date=date(2023, 2, 1))
    for code in ("1.1", "1.2", "1.3", "1.4", "1.5"):
        ApprovedUpdateFactory(city=city, action=action(code), status=Status.ACHIEVED)
    ApprovedUpdateFactory(
        city=city,
        action=action("2.1"),
        status=Status.IN_PROGRESS,
        summary="Bias training task force formed.",
        evidence=[EvidenceFactory(city=city, title="Task force charter")],
    )
    return city


def populate(count):
    """Cities that look like real use: a mayor, a pledge, approved and pending updates."""
    for _ in range(count):
        city = CityFactory()
        ApprovedPledgeFactory(mayor=MayorFactory(city=city))
        MayorFactory(city=city, term_start=date(2010, 1, 1), term_end=date(2014, 1, 1))
        ApprovedUpdateFactory(city=city, action=action("1.1"))
        ApprovedUpdateFactory(city=city, action=action("2.2"), status=Status.PARTIALLY_ACHIEVED)
        ProgressUpdateFactory(city=city, action=action("3.1"))


# Each count includes the one read of the record's last change (commitments.caching).
# Two of them read the city's own reports and whether it has a verified official.
CITY_PAGE_QUERIES = 18


def city_url(city):
    return reverse("commitments:city", args=[city.state.lower(), city.slug])


# (URL name, arguments, exact queries, text the page shows once populated)
PAGES = [
    ("commitments:home", [], 5, "Sitting mayors who signed"),
    ("commitments:scorecard", [], 4, "Testville"),
    ("commitments:principles", [], 3, "Average score across cities"),
    ("commitments:principle", ["training"], 5, "Testville"),
    ("commitments:methodology", [], 3, "18 of 27"),
    ("commitments:pledge", [], 2, "NOT ONE MORE person"),
    ("commitments:updates", [], 9, "The council adopted it."),
    ("commitments:map", [], 2, "Cities by state and grade"),
]


@pytest.mark.parametrize(("name", "args", "queries", "shown"), PAGES)
def test_page_queries_do_not_grow_with_the_data(
    client, django_assert_num_queries, name, args, queries, shown
):
    for count in (2, 12):
        populate(count)
        with django_assert_num_queries(queries):
            response = client.get(reverse(name, args=args))
        assert response.status_code == 200
        assert shown in text(response)


def test_city_page_queries_do_not_grow_with_the_data(client, django_assert_num_queries):
    city = CityFactory()
    MayorFactory(city=city)
    ApprovedUpdateFactory(city=city, action=action("1.1"), summary="First step.")
    with django_assert_num_queries(CITY_PAGE_QUERIES):
        first = client.get(city_url(city))
    assert first.status_code == 200 and "First step." in text(first)
    for code in ("1.2", "2.1", "3.1", "4.1", "5.1", "6.1", "7.1", "7.2"):
        evidence = [EvidenceFactory(city=city) for _ in range(3)]
        ApprovedUpdateFactory(city=city, action=action(code), evidence=evidence)
    populate(4)
    with django_assert_num_queries(CITY_PAGE_QUERIES):
        later = client.get(city_url(city))
    assert later.status_code == 200 and "rated on 9 of 27 actions" in text(later)


@pytest.mark.parametrize(("name", "args"), [(name, args) for name, args, *_rest in PAGES])
def test_every_page_has_one_h1_a_title_a_description_and_a_canonical_url(client, name, args):
    body = text(client.get(reverse(name, args=args)))
    assert body.count("<h1") == 1
    assert re.search(r"<title>[^<]+ · Pledge Tracker</title>", body)
    assert '<meta name="description" content="' in body
    assert f'<link rel="canonical" href="http://testserver{reverse(name, args=args)}">' in body
    assert '<main id="main"' in body


def test_home_shows_headline_figures_and_recent_updates(client, minneapolis):
    body = text(client.get(reverse("commitments:home")))
    assert "Bias training task force formed." in body
    figures = re.findall(r'<dd class="fs-2 fw-bold mb-0">(\d+)</dd>', body)
    # 1 city, 1 signed mayor, score (500 / 5 + 25 / 4) / 7 = 15.2, 5 actions achieved.
    assert figures == ["1", "1", "15", "5"]


def test_city_page_shows_score_grade_statuses_and_evidence(client, minneapolis):
    body = text(client.get(city_url(minneapolis)))
    # (500 / 5 + 25 / 4) / 7 = 15.18; rated on 6 of 27 actions, too few for a grade.
    assert '<span class="score-big">15</span>' in body
    assert "Exact score 15.18; " in body and "rated on 6 of 27 actions" in body
    assert ">Incomplete</span>" in body and "of 100, provisional" in body
    assert "a grade needs at least 18 rated actions" in body
    assert "Jo Mayor" in body and "Signed" in body
    assert "Bias training task force formed." in body
    # The evidence beside the action's status, as well as in the timeline.
    row = re.search(r'<tr id="action-2-1".*?</tr>', body, re.S)[0]
    assert "Task force charter" in row
    assert ">In progress<" in body and ">Achieved<" in body and ">No information<" in body
    assert body.count("<h3") == 7


def test_city_page_keeps_former_mayors_and_their_pledges(client, minneapolis):
    former = MayorFactory(
        city=minneapolis, name="Old Mayor", term_start=date(2010, 1, 1), term_end=date(2021, 12, 31)
    )
    ApprovedPledgeFactory(mayor=former, status=PledgeStatus.DECLINED, date=date(2016, 1, 1))
    body = text(client.get(city_url(minneapolis)))
    assert "Old Mayor" in body and "2010–2021" in body and "Declined" in body


@pytest.mark.parametrize(
    "path",
    [
        "/cities/mn/nowhere/",
        "/cities/zz/minneapolis/",
        "/cities/MN/minneapolis/",
        "/principles/nope/",
    ],
)
def test_unknown_city_state_or_principle_is_404(client, minneapolis, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in text(response)


def test_pending_and_rejected_content_never_appears(client, minneapolis):
    ProgressUpdateFactory(
        city=minneapolis,
        action=action("3.3"),
        summary="PENDING-SUMMARY",
        evidence=[EvidenceFactory(city=minneapolis, title="PENDING-EVIDENCE")],
    )
    rejected = ProgressUpdateFactory(
        city=minneapolis, action=action("3.4"), summary="REJECTED-SUMMARY"
    )
    reject_update(rejected, StaffFactory(), note="No source.")
    # Pending evidence attached to an approved update stays hidden too.
    ApprovedUpdateFactory(city=minneapolis, action=action("4.1"))
    EvidenceFactory(city=minneapolis, title="LOOSE-PENDING-EVIDENCE")
    pages = [city_url(minneapolis), reverse("commitments:updates"), reverse("commitments:home"),
             reverse("commitments:principle", args=["diversity"])]  # fmt: skip
    for page in pages:
        body = text(client.get(page))
        for secret in ("PENDING-SUMMARY", "PENDING-EVIDENCE", "REJECTED-SUMMARY", "No source."):
            assert secret not in body, (page, secret)
    # The approved 4.1 update counts: (100 + 25 / 4 + 100 / 4) / 7 = 18.75.
    assert '<span class="score-big">19</span>' in text(client.get(city_url(minneapolis)))


def test_user_content_is_escaped_and_links_are_safe(client):
    city = CityFactory()
    evidence = EvidenceFactory(city=city, title="<script>alert(1)</script>")
    ApprovedUpdateFactory(city=city, summary="<b>bold</b>", evidence=[evidence])
    body = text(client.get(city_url(city)))
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&lt;b&gt;bold&lt;/b&gt;" in body
    assert f'<a href="{evidence.url}" rel="noopener noreferrer" target="_blank">' in body


def scorecard_names(client, **params):
    body = text(client.get(reverse("commitments:scorecard"), params))
    return re.findall(r'<th scope="row" class="sticky-column"><a href="[^"]+">([^<]+)</a>', body)


@pytest.fixture
def three_cities():
    austin = CityFactory(name="Austin", state="TX", population=900_000)
    boston = CityFactory(name="Boston", state="MA", population=650_000)
    camden = CityFactory(name="Camden", state="NJ", population=70_000)
    ApprovedPledgeFactory(
        mayor=MayorFactory(city=austin, name="Ann Signer"), status=PledgeStatus.SIGNED
    )
    MayorFactory(city=boston, name="Bo Quiet")
    six_principles = Action.objects.filter(principle__number__lte=6).values_list("code", flat=True)
    rate(camden, dict.fromkeys(six_principles, Status.ACHIEVED), happened_on=date(2025, 1, 1))
    ApprovedUpdateFactory(city=austin, action=action("1.1"), happened_on=date(2023, 1, 1))
    return austin, boston, camden


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Austin", "Boston", "Camden"]),
        ({"state": "MA"}, ["Boston"]),
        ({"pledge_status": "signed"}, ["Austin"]),
        ({"pledge_status": "not_asked"}, ["Boston", "Camden"]),
        ({"grade": "A"}, ["Camden"]),
        ({"grade": "F"}, []),
        ({"grade": "incomplete"}, ["Austin", "Boston"]),
        ({"q": "bost"}, ["Boston"]),
        ({"q": "signer"}, ["Austin"]),
        ({"sort": "-score"}, ["Camden", "Austin", "Boston"]),
        ({"sort": "-population"}, ["Austin", "Boston", "Camden"]),
        ({"sort": "population"}, ["Camden", "Boston", "Austin"]),
        ({"sort": "-updated"}, ["Camden", "Austin", "Boston"]),
        ({"sort": "updated"}, ["Austin", "Camden", "Boston"]),
        ({"sort": "-name"}, ["Camden", "Boston", "Austin"]),
        ({"state": "TX", "grade": "A"}, []),
    ],
)
def test_scorecard_filters_and_sorts(client, three_cities, params, expected):
    assert scorecard_names(client, **params) == expected


def test_scorecard_says_when_nothing_matches(client, three_cities):
    assert "No cities match these filters" in text(client.get("/cities/?state=WY"))


def test_scorecard_rejects_bad_filters_with_a_message(client, three_cities):
    response = client.get("/cities/?grade=Z&sort=evil")
    assert "Select a valid choice" in text(response)
    assert scorecard_names(client, grade="Z") == ["Austin", "Boston", "Camden"]


def test_scorecard_shows_each_principle_score(client, three_cities):
    body = text(client.get("/cities/?q=camden"))
    cells = re.findall(r'<td class="principle-cell shade-\d">(\d+)</td>', body)
    assert cells == ["100", "100", "100", "100", "100", "100", "0"]


def test_scorecard_paginates_and_keeps_the_filters(client):
    for n in range(30):
        CityFactory(name=f"City {n:02d}", state="OH")
    CityFactory(name="Elsewhere", state="CA")
    first = text(client.get("/cities/?state=OH"))
    assert "Page 1 of 2" in first
    assert 'href="?state=OH&amp;page=2"' in first
    assert scorecard_names(client, state="OH", page=2) == [f"City {n}" for n in range(25, 30)]


def test_principle_page_ranks_cities_on_that_principle(client, three_cities):
    body = text(client.get(reverse("commitments:principle", args=["accountability"])))
    ranked = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', body)
    assert ranked == ["Camden", "Austin", "Boston"]
    assert "Police departments are funded by the public" in body
    assert "The board can compel evidence" in body


def test_methodology_is_rendered_from_the_scoring_constants(client):
    body = text(client.get(reverse("commitments:methodology")))
    for status, points in POINTS.items():
        assert re.search(
            rf"<th scope=\"row\">{status.label}</th><td>[^<]*</td><td class=\"text-end\">{points}",
            body,
        )
    for grade, minimum in GRADES:
        assert re.search(rf'title="Grade {grade}">{grade}</span>\s*</th><td>{minimum}–', body)


def test_pledge_page_links_the_seven_commitments(client):
    body = text(client.get(reverse("commitments:pledge")))
    assert body.count('href="/principles/') >= 7
    assert "NOT ONE MORE person" in body


def test_updates_filter_by_state_and_principle(client, three_cities):
    austin, _boston, camden = three_cities
    by_state = text(client.get("/updates/?state=TX"))
    assert by_state.count('class="list-group-item"') == 1
    by_principle = text(client.get("/updates/?principle=4"))
    assert by_principle.count('class="list-group-item"') == 4
    assert "Austin" not in by_principle


def test_updates_paginate_by_keyset_newest_first(client):
    city = CityFactory()
    for day, act in enumerate(Action.objects.all()[:26], start=1):
        ApprovedUpdateFactory(city=city, action=act, happened_on=date(2024, 1, day))
    first = text(client.get("/updates/", {"order": "happened"}))
    assert first.count('class="list-group-item"') == 25 and 'rel="prev"' not in first
    older = re.search(r'href="([^"]+)" rel="next"', first).group(1)
    second = text(client.get(html.unescape(older)))
    assert second.count('class="list-group-item"') == 1 and 'rel="next"' not in second
    assert 'datetime="2024-01-01"' in second  # the oldest comes last
    assert client.get("/updates/", {"cursor": "not-a-cursor"}).status_code == 404


def test_a_city_page_shows_its_latest_updates_and_links_to_the_rest(client):
    city = CityFactory(name="Busyville")
    for day, act in enumerate(Action.objects.all()[:12], start=1):
        ApprovedUpdateFactory(city=city, action=act, happened_on=date(2024, 3, day))
    page = text(client.get(city_url(city)))
    timeline = page.split('id="timeline-heading"')[1]
    assert timeline.count('class="list-group-item"') == 10
    assert 'datetime="2024-03-12"' in timeline and 'datetime="2024-03-02"' not in timeline
    assert f"city={city.slug}" in timeline


def test_a_principle_ranking_is_paged(client):
    CityFactory.create_batch(51)
    url = reverse("commitments:principle", args=["training"])

    def ranking(**query):
        return text(client.get(url, query)).split('id="ranking-heading"')[1]

    assert "51 cities, best first" in ranking() and ranking().count("<tr><td>") == 50
    assert ranking(page=2).count("<tr><td>") == 1
