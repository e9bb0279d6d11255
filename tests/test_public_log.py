"""The public log of approved updates: its page, CSV, feed and API list, filtered and ordered
by one FilterSet, each entry with the status it replaced and its effect on the score, in
numbered pages."""

import csv
import html
import io
import re
from base64 import urlsafe_b64encode
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from unittest import mock
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from cities.models import City
from commitments.models import Action, ProgressUpdate, ReviewState
from commitments.scoring import Status
from commitments.selectors import approved_updates, with_rating_changes
from commitments.services import rebuild_current_statuses, refresh_framework_totals
from tests.factories import ApprovedUpdateFactory, CityFactory, reviewer

pytestmark = pytest.mark.django_db

PAGE, CSV, FEED, API = "/updates/", "/data/updates.csv", "/updates/feed/", "/api/updates/"
ATOM = "{http://www.w3.org/2005/Atom}"


def at_noon(day):
    return datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone())


def published(city, code, status, *, happened, on, summary="Rated."):
    """An update submitted and approved through the review service at noon on `on` (the clock
    is set back while it is logged and reviewed)."""
    with mock.patch("django.utils.timezone.now", return_value=at_noon(on)):
        return ApprovedUpdateFactory(
            city=city, action=Action.objects.get(code=code), status=status,
            happened_on=happened, summary=summary,
        )  # fmt: skip


def text(response):
    return response.content.decode()


def page_ids(response):
    assert response.status_code == 200
    return [
        int(pk)
        for pk in re.findall(r'<li class="list-group-item" id="update-(\d+)">', text(response))
    ]


def csv_ids(response):
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    return [int(row["id"]) for row in csv.DictReader(io.StringIO(body))]


def feed_ids(response):
    assert response.status_code == 200
    feed = ElementTree.fromstring(response.content)
    links = [entry.find(f"{ATOM}link").get("href") for entry in feed.findall(f"{ATOM}entry")]
    return [int(link.rsplit("#update-", 1)[1]) for link in links]


def api_ids(response):
    assert response.status_code == 200
    return [item["id"] for item in response.json()["results"]]


SURFACES = {PAGE: page_ids, CSV: csv_ids, FEED: feed_ids, API: api_ids}


@pytest.fixture
def log():
    """Four updates in three cities whose publication order differs from their order in time."""
    austin = CityFactory(name="Austin", state="TX")
    boston = CityFactory(name="Boston", state="MA")
    camden = CityFactory(name="Camden", state="NJ")
    return {
        "austin": published(austin, "1.1", Status.ACHIEVED, happened=date(2025, 1, 10),
                            on=date(2025, 3, 1), summary="An independent agency investigates."),
        "swat": published(boston, "4.2", Status.IN_PROGRESS, happened=date(2025, 2, 1),
                          on=date(2025, 2, 15), summary="A SWAT policy is drafted."),
        "camden": published(camden, "4.1", Status.REVERSED, happened=date(2024, 12, 1),
                            on=date(2025, 1, 20), summary="The force policy was repealed."),
        "board": published(boston, "1.2", Status.PARTIALLY_ACHIEVED, happened=date(2024, 11, 5),
                           on=date(2025, 4, 2), summary="The board ordinance passed in part."),
    }  # fmt: skip


def ids(log, *names):
    return [log[name].pk for name in names]


# --- Order -----------------------------------------------------------------------------------


@pytest.mark.parametrize("surface", SURFACES)
def test_the_log_lists_the_latest_published_first_everywhere(client, log, surface):
    assert SURFACES[surface](client.get(surface)) == ids(log, "board", "austin", "swat", "camden")


@pytest.mark.parametrize("surface", SURFACES)
def test_the_log_lists_the_latest_to_happen_first_on_request(client, log, surface):
    ordered = SURFACES[surface](client.get(surface, {"order": "happened"}))
    assert ordered == ids(log, "swat", "austin", "camden", "board")


def test_each_entry_leads_with_the_date_of_its_order(client, log):
    entry = text(client.get(PAGE)).split(f'id="update-{log["swat"].pk}"')[1].split("</li>")[0]
    assert '<time datetime="2025-02-15">' in entry
    assert "Happened on Feb 1, 2025; published on Feb 15, 2025." in entry
    entry = text(client.get(PAGE, {"order": "happened"}))
    entry = entry.split(f'id="update-{log["swat"].pk}"')[1].split("</li>")[0]
    assert '<time datetime="2025-02-01">' in entry


# --- Filters ---------------------------------------------------------------------------------

FILTERS = [
    ({"state": "MA"}, ["board", "swat"]),
    ({"state": "MA", "city": "boston"}, ["board", "swat"]),
    ({"city": "austin"}, ["austin"]),
    ({"principle": "4"}, ["swat", "camden"]),
    ({"action": "4.2"}, ["swat"]),
    ({"status": "reversed"}, ["camden"]),
    ({"q": "BOARD"}, ["board"]),  # in the summary, whatever the case
    ({"q": "camd"}, ["camden"]),  # in the city's name
    ({"from": "2025-02-15", "to": "2025-03-01"}, ["austin", "swat"]),  # published, both days in
    ({"from": "2025-03-02"}, ["board"]),
    ({"to": "2025-01-20"}, ["camden"]),
    ({"order": "happened", "from": "2025-01-01", "to": "2025-01-31"}, ["austin"]),
    ({"order": "happened", "to": "2024-12-01"}, ["camden", "board"]),
    ({"from": "0001-01-01", "to": "9999-12-31"}, ["board", "austin", "swat", "camden"]),
    ({"order": "happened", "from": "9999-12-31"}, []),
    ({"state": "MA", "principle": "1", "q": "ordinance", "status": ""}, ["board"]),
]


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize(("query", "expected"), FILTERS)
def test_one_filter_gives_the_same_updates_on_every_surface(client, log, surface, query, expected):
    assert SURFACES[surface](client.get(surface, query)) == ids(log, *expected)


def shown_count(response):
    return int(re.search(r"([\d,]+) approved updates?,", text(response)).group(1).replace(",", ""))


@pytest.mark.parametrize(
    "query",
    ["", "?state=MA", "?city=boston", "?state=TX&city=boston", "?order=happened&state=NJ",
     "?state=ZZ", "?principle=1", "?status=achieved&state=MA", "?q=board"],
)  # fmt: skip
def test_the_log_s_count_is_the_number_of_updates_it_keeps(client, log, query):
    """Narrowed by place alone the count is summed from the cities' stored counts, otherwise
    counted over the log: the same number either way."""
    ApprovedUpdateFactory(city=log["swat"].city)  # stored counts follow the approvals
    response = client.get(PAGE + query)
    assert shown_count(response) == len(page_ids(response))


def test_the_published_range_is_on_the_site_s_days():
    """An update approved late in the evening in New York is published on that day there,
    though it is the next day in UTC."""
    city = CityFactory()
    late = datetime.combine(date(2025, 3, 1), time(23, 30), tzinfo=timezone.get_current_timezone())
    with mock.patch("django.utils.timezone.now", return_value=late):
        update = ApprovedUpdateFactory(city=city, happened_on=date(2025, 2, 1))
    from commitments.filters import UpdateFilter

    def found(**query):
        return list(UpdateFilter(query, queryset=approved_updates()).qs)

    assert found(**{"from": "2025-03-01", "to": "2025-03-01"}) == [update]
    assert found(**{"from": "2025-03-02"}) == []


@pytest.mark.parametrize(
    "query", [{"status": "bogus"}, {"from": "not-a-day"}, {"order": "sideways"}, {"action": "9.9"}]
)
def test_a_filter_not_understood_is_refused_by_the_downloads_and_shown_on_the_page(
    client, log, query
):
    for surface in (CSV, FEED, API):
        assert client.get(surface, query).status_code == 400, surface
    page = client.get(PAGE, query)
    assert page.status_code == 200
    assert "Some filters were not understood" in text(page)
    assert len(page_ids(page)) == 4  # the filter is ignored, the log shown


def test_the_filters_stay_in_the_page_s_links(client, log):
    body = html.unescape(text(client.get(PAGE, {"state": "MA", "order": "happened"})))
    assert "/data/updates.csv?state=MA&order=happened" in body
    assert "/updates/feed/?state=MA&order=happened" in body
    assert '<option value="happened" selected>' in body


def test_the_api_schema_describes_the_log_s_filters(client):
    parameters = {
        p["name"]: p
        for p in client.get("/api/schema/?format=json").json()["paths"][API]["get"]["parameters"]
    }
    assert {"q", "state", "city", "principle", "action", "status", "order", "from", "to"} <= set(
        parameters
    )
    assert parameters["from"]["schema"] == {"type": "string", "format": "date"}
    assert parameters["to"]["schema"] == {"type": "string", "format": "date"}
    assert parameters["order"]["schema"]["enum"] == ["happened", "published"]
    assert "happened_after" not in parameters


def test_an_api_cursor_of_one_order_is_no_page_of_the_other(client, log):
    """A cursor holds a position on the order's first field: a publication time is no day."""
    cursor = urlsafe_b64encode(f"p={log['austin'].reviewed_at}".encode()).decode()
    assert api_ids(client.get(API, {"cursor": cursor})) == ids(log, "swat", "camden")
    assert client.get(API, {"cursor": cursor, "order": "happened"}).status_code == 404
    a_day = urlsafe_b64encode(b"p=2025-01-10").decode()  # a happened cursor: no time zone
    assert api_ids(client.get(API, {"cursor": a_day, "order": "happened"})) == ids(
        log, "camden", "board"
    )
    assert client.get(API, {"cursor": a_day}).status_code == 404


# --- Status before and after, and the change in the score ------------------------------------


def exact_score(city):
    scored = City.objects.with_scores().get(pk=city.pk)
    return Fraction(scored.score_numerator, scored.score_denominator)


def in_tenths(change):
    """A change as the page shows it: to one decimal place, rounded half up, signed."""
    tenths = int(abs(change) * 10 + Fraction(1, 2))
    sign = "+" if change > 0 else "\u2212" if change < 0 else ""
    return f"{sign}{tenths // 10}.{tenths % 10}"


def entry(body, update):
    """An entry's text, without its tags and the reversed sign."""
    entry = body.split(f'id="update-{update.pk}"')[1].split("</li>")[0]
    return re.sub(r"<[^>]+>", "", entry).replace(" ⚠", "")


def test_each_entry_shows_the_status_it_replaced_and_what_it_changed_in_the_score(client):
    """Each approval's change is the city's exact score after it less the score before it."""
    Action.objects.filter(code="2.1").update(weight=3)  # a heavier action weighs more
    refresh_framework_totals()
    city = CityFactory(name="Stepville")
    # (action, new status, the status it replaces)
    steps = [
        ("2.1", Status.IN_PROGRESS, None),
        ("2.2", Status.ACHIEVED, None),
        ("2.1", Status.ACHIEVED, Status.IN_PROGRESS),
        ("2.2", Status.REVERSED, Status.ACHIEVED),
        ("2.1", Status.NOT_STARTED, Status.ACHIEVED),
        ("2.1", Status.REVERSED, Status.NOT_STARTED),
    ]
    changes, day = {}, date(2025, 1, 1)
    for code, status, replaced in steps:
        before, day = exact_score(city), day + timedelta(days=10)
        update = published(city, code, status, happened=day, on=day)
        changes[update.pk] = (replaced, status, exact_score(city) - before)
    assert sorted(change for *_statuses, change in changes.values()) != [0] * len(steps)
    shown = {
        update.pk: (update.rating_change.status_before, update.status,
                    update.rating_change.score_change)
        for update in with_rating_changes(list(approved_updates().filter(city=city)))
    }  # fmt: skip
    assert shown == changes
    body = text(client.get(PAGE))
    for update in ProgressUpdate.objects.filter(city=city):
        replaced, status, change = changes[update.pk]
        before, after = (Status(s).label if s else "No information" for s in (replaced, status))
        effect = (
            f"{in_tenths(change)} points on the city's score"
            if change
            else "no change to the city's score"
        )
        assert f"From {before} to {after}: {effect}." in entry(body, update)


def test_an_update_approved_after_a_later_one_says_it_did_not_change_the_score(client):
    city = CityFactory()
    published(city, "3.1", Status.ACHIEVED, happened=date(2025, 3, 1), on=date(2025, 3, 5))
    before = exact_score(city)
    late = published(
        city, "3.1", Status.IN_PROGRESS, happened=date(2025, 2, 1), on=date(2025, 4, 1)
    )
    assert exact_score(city) == before
    assert (
        entry(text(client.get(PAGE)), late).count(
            "Reported as In progress: no change to the city's score, because an update on a later"
            " step had already been approved."
        )
        == 1
    )


def test_updates_approved_at_one_moment_each_replace_the_one_before(client):
    """Approved in one instant, an update current for no time at all still replaced a status,
    and was replaced: each shows its own predecessor."""
    city = CityFactory()
    started = published(
        city, "5.2", Status.IN_PROGRESS, happened=date(2025, 1, 2), on=date(2025, 1, 3)
    )
    with mock.patch("django.utils.timezone.now", return_value=at_noon(date(2025, 2, 1))):
        part = ApprovedUpdateFactory(
            city=city,
            action=started.action,
            happened_on=date(2025, 1, 20),
            status=Status.PARTIALLY_ACHIEVED,
        )
        done = ApprovedUpdateFactory(
            city=city, action=started.action, happened_on=date(2025, 1, 25), status=Status.ACHIEVED
        )
    changes = {u.pk: u.rating_change for u in with_rating_changes(list(approved_updates()))}
    assert changes[part.pk].status_before == Status.IN_PROGRESS
    assert changes[done.pk].status_before == Status.PARTIALLY_ACHIEVED
    assert changes[started.pk].status_before is None


def test_the_score_change_rounds_half_up_and_keeps_its_sign():
    from commitments.selectors import RatingChange

    assert RatingChange(True, None, Fraction(5, 100)).signed_points == "+0.1"
    assert RatingChange(True, None, Fraction(-5, 100)).signed_points == "\u22120.1"
    assert RatingChange(True, None, Fraction(100, 35)).signed_points == "+2.9"
    assert RatingChange(True, None, Fraction(-149, 100)).signed_points == "\u22121.5"


# --- Numbered pages --------------------------------------------------------------------------

PER_PAGE = 25


def logged(count):
    """`count` approved updates in a few queries, in two orders that differ on every page and
    tie on their first field: a few approved at each moment, three happening on each day."""
    city, staff, actions = CityFactory(), reviewer(), list(Action.objects.all())
    moment = at_noon(date(2025, 6, 1))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        ProgressUpdate.objects.bulk_create(
            ProgressUpdate(
                city=city, action=actions[n % len(actions)], status=Status.IN_PROGRESS,
                summary=f"Step {n}.", happened_on=date(2025, 5, 31) - timedelta(days=n // 3),
                submitted_by=staff, review_state=ReviewState.APPROVED, reviewed_by=staff,
                reviewed_at=moment + timedelta(minutes=n * 7 % 11),
            )
            for n in range(count)
        )  # fmt: skip
    rebuild_current_statuses()


ORDERS = {"published": ["-reviewed_at", "-id"], "happened": ["-happened_on", "-reviewed_at", "-id"]}


def whole_log(order):
    return list(
        ProgressUpdate.objects.approved().order_by(*ORDERS[order]).values_list("pk", flat=True)
    )


def navigation(response):
    """The page links as shown: numbers, the current one in brackets, "…" for a gap."""
    nav = text(response).split('<nav aria-label="Pages">')[1].split("</nav>")[0]
    items = re.findall(r'<li class="page-item[^"]*"[^>]*>(.*?)</li>', nav)
    shown = []
    for item in items:
        label = re.sub(r"<[^>]+>|Page ", "", item).strip()
        if label in ("Previous", "Next"):
            continue
        shown.append(
            f"[{label}]"
            if "aria-current" in item or item.startswith("<span") and label != "…"
            else label
        )
    return shown


def links(response):
    nav = text(response).split('<nav aria-label="Pages">')[1].split("</nav>")[0]
    found = re.findall(
        r'<a class="page-link" href="([^"]+)"[^>]*>(?:<span[^>]*>Page </span>)?([^<]+)</a>', nav
    )
    return {label: html.unescape(href) for href, label in found}


@pytest.mark.parametrize("order", ORDERS)
def test_numbered_pages_show_the_first_the_last_and_those_around_the_current(client, order):
    logged(12 * PER_PAGE - 3)  # 12 pages, the last one short
    expected = whole_log(order)
    windows = {
        1: ["[1]", "2", "3", "…", "12"],
        3: ["1", "2", "[3]", "4", "5", "…", "12"],
        5: ["1", "2", "3", "4", "[5]", "6", "7", "…", "12"],  # one page skipped is linked
        6: ["1", "…", "4", "5", "[6]", "7", "8", "…", "12"],
        8: ["1", "…", "6", "7", "[8]", "9", "10", "11", "12"],
        10: ["1", "…", "8", "9", "[10]", "11", "12"],
        12: ["1", "…", "10", "11", "[12]"],
    }
    reached, todo = {}, {f"{PAGE}?order={order}"}
    while todo:  # every link of every page, each checked against the whole log
        url = todo.pop()
        response = client.get(url)
        number = int(re.search(r"page (\d+) of 12", text(response))[1])
        assert page_ids(response) == expected[(number - 1) * PER_PAGE : number * PER_PAGE], url
        if number in windows:
            assert navigation(response) == windows[number], number
        reached[url] = number
        todo |= set(links(response).values()) - set(reached)
    assert sorted(set(reached.values())) == list(range(1, 13))
    # The window's links carry a keyset cursor; the last page is found from the end.
    first = links(client.get(PAGE, {"order": order}))
    assert "cursor=" in first["3"] and "cursor=" not in first["12"]


@pytest.mark.parametrize("order", ORDERS)
def test_a_page_number_alone_gives_the_same_page(client, order):
    logged(7 * PER_PAGE + 1)
    expected = whole_log(order)
    for number in (2, 4, 5, 7, 8):
        ids = page_ids(client.get(PAGE, {"order": order, "page": number}))
        assert ids == expected[(number - 1) * PER_PAGE : number * PER_PAGE], number


def test_next_and_previous_links_walk_the_whole_log_once(client):
    logged(5 * PER_PAGE)
    seen, url = [], PAGE
    while url:
        response = client.get(url)
        seen += page_ids(response)
        found = re.search(r'href="([^"]+)" rel="next"', text(response))
        url = found and html.unescape(found[1])
    assert seen == whole_log("published")
    back = re.search(r'href="([^"]+)" rel="prev"', text(response))[1]
    assert page_ids(client.get(html.unescape(back))) == seen[3 * PER_PAGE : 4 * PER_PAGE]


def cursor(*values):
    return urlsafe_b64encode("|".join(values).encode()).decode()


@pytest.mark.parametrize(
    "query",
    [
        {"page": "0"},
        {"page": "4"},
        {"page": "two"},
        {"cursor": "not-a-cursor"},
        {"page": "1", "cursor": cursor("2025-06-01T12:00:00-04:00", "3")},
        {"page": "2", "cursor": cursor("2025-06-01T12:00:00-04:00")},  # one field short
        {"page": "2", "cursor": cursor("2025-06-01T12:00:00", "3")},  # no time zone
        {"page": "2", "cursor": cursor("2025-06-01", "3"), "order": "happened"},
        {"page": "2", "cursor": cursor("2025-06-01T12:00:00-04:00", "x")},
    ],
)
def test_a_page_the_log_does_not_have_is_not_found(client, query):
    logged(3 * PER_PAGE)
    assert client.get(PAGE, query).status_code == 404


def test_an_empty_log_has_one_page(client):
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "0 approved updates" in text(response) and "No approved updates match" in text(response)


# Queries of every page of the updates log: the record's last change, the count, the page's
# rows, their evidence, the keys of the pages after it and of those before it, the rating
# changes, the principles and the actions of the filter form; a search first finds the cities
# it names.
LOG_PAGE_QUERIES, SEARCH_QUERIES = 9, 10


def test_the_log_s_pages_run_a_fixed_number_of_queries(client, django_assert_num_queries):
    for pages in (8, 16):
        logged(pages * PER_PAGE - ProgressUpdate.objects.count())
        with django_assert_num_queries(LOG_PAGE_QUERIES):
            first = client.get(PAGE)
        with django_assert_num_queries(LOG_PAGE_QUERIES):
            second = client.get(links(first)["2"])
        with django_assert_num_queries(LOG_PAGE_QUERIES):
            deep = client.get(links(second)["4"])
        with django_assert_num_queries(LOG_PAGE_QUERIES):
            typed = client.get(PAGE, {"page": pages // 2, "order": "happened"})
        with django_assert_num_queries(LOG_PAGE_QUERIES):
            last = client.get(PAGE, {"page": pages})
        with django_assert_num_queries(SEARCH_QUERIES):
            search = client.get(PAGE, {"q": "step"})
        assert len(page_ids(deep)) == PER_PAGE and f"page 4 of {pages}" in text(deep)
        assert len(page_ids(typed)) == PER_PAGE and f"page {pages // 2} of {pages}" in text(typed)
        assert len(page_ids(last)) == PER_PAGE and len(page_ids(search)) == PER_PAGE
