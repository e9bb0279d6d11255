"""The city's own account: verified officials report, beside the independent rating, which
it never moves; reviewers confirm a report or answer it publicly."""

import csv
import io
import re
from datetime import date
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InternalError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from cities.models import City
from commitments.city_reports import (
    answer_report,
    confirm_report,
    disagreements,
    report_for_city,
)
from commitments.models import (
    Action,
    CityOfficial,
    CityReport,
    CurrentStatus,
    ProgressUpdate,
    ReviewState,
)
from commitments.scoring import Status
from tests.factories import ApprovedUpdateFactory, CityFactory, UserFactory, reviewer
from tests.test_as_of import AS_OF_QUERIES, at_noon, rated_on
from tests.test_grid_compare import QUERIES as GRID_QUERIES
from tests.test_public_pages import CITY_PAGE_QUERIES, city_url

pytestmark = pytest.mark.django_db

REPORTED = {"status": Status.ACHIEVED, "summary": "We adopted a use-of-force policy.",
            "happened_on": date(2024, 6, 1),
            "evidence_url": "https://city.example.org/policy"}  # fmt: skip


def action(code):
    return Action.objects.get(code=code)


def make_official(city, verified=True, in_group=True, verified_at=None):
    user = UserFactory()
    if in_group:
        user.groups.add(Group.objects.get(name="City officials"))
    staff = reviewer()
    CityOfficial.objects.create(
        user=user,
        city=city,
        verified_by=staff if verified else None,
        verified_at=(verified_at or timezone.now()) if verified else None,
    )
    return user


def report(official, city, code="1.1", **changes):
    return report_for_city(official, city, action(code), **{**REPORTED, **changes})


def scores():
    return list(City.objects.with_scores().values("pk", "score_exact", "grade", "rated_actions"))


def test_only_a_verified_official_of_the_city_may_report(city, other_city, advocate):
    report(make_official(city), city)
    refused = [
        make_official(city, verified=False),
        make_official(city, in_group=False),
        make_official(other_city),
        advocate,
        UserFactory(is_staff=True, is_superuser=False),
    ]
    for user in refused:
        with pytest.raises(PermissionDenied):
            report(user, city)


def test_a_report_never_moves_the_score(city):
    ApprovedUpdateFactory(city=city, action=action("1.1"), status=Status.NOT_STARTED)
    before = scores()
    report(make_official(city), city)
    assert scores() == before


def test_the_city_page_shows_the_report_beside_the_rating_marked_when_it_differs(client, city):
    ApprovedUpdateFactory(city=city, action=action("1.1"), status=Status.NOT_STARTED)
    ApprovedUpdateFactory(city=city, action=action("1.2"), status=Status.ACHIEVED)
    official = make_official(city)
    report(official, city, "1.1")
    report(official, city, "1.2", summary="Agreed: it was achieved.")
    page = client.get(city_url(city)).content.decode()
    row_1 = page.split('id="action-1-1"')[1].split("</tr>")[0]
    row_2 = page.split('id="action-1-2"')[1].split("</tr>")[0]
    assert "The city reports:" in row_1 and "differs" in row_1
    assert "https://city.example.org/policy" in row_1
    assert "The city reports:" in row_2 and "differs" not in row_2
    assert "verified by our staff" in page


def test_no_report_no_line(client, city):
    page = client.get(city_url(city)).content.decode()
    assert "The city reports:" not in page and "verified by our staff" not in page


def test_the_city_page_runs_a_fixed_number_of_queries(client, city, django_assert_num_queries):
    ApprovedUpdateFactory(city=city, action=action("1.1"))
    with django_assert_num_queries(CITY_PAGE_QUERIES):
        client.get(city_url(city))
    official = make_official(city)
    for code in ("1.1", "1.2", "2.1", "3.1"):
        report(official, city, code)
    with django_assert_num_queries(CITY_PAGE_QUERIES):
        assert client.get(city_url(city)).status_code == 200


def test_the_api_scorecard_carries_the_report(client, city):
    ApprovedUpdateFactory(city=city, action=action("1.1"), status=Status.NOT_STARTED)
    report(make_official(city), city)
    body = client.get(reverse("api:city-detail", args=[city.state, city.slug])).json()
    row = body["principles"][0]["actions"][0]
    assert row["code"] == "1.1" and row["city_report"]["status"] == Status.ACHIEVED
    assert row["city_report_differs"] is True
    assert body["principles"][0]["actions"][1]["city_report"] is None


def test_the_csv_carries_every_report(client, city):
    made = report(make_official(city), city)
    response = client.get(reverse("data:city_reports_csv"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(row["id"], row["action"], row["status"]) for row in rows] == [
        (str(made.pk), "1.1", Status.ACHIEVED)
    ]
    assert (rows[0]["independent_status"], rows[0]["differs"]) == ("", "true")
    ApprovedUpdateFactory(city=city, action=action("1.1"), status=Status.ACHIEVED)
    response = client.get(reverse("data:city_reports_csv"))
    [row] = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    assert (row["independent_status"], row["differs"]) == (Status.ACHIEVED, "false")


def test_an_official_finds_their_page_in_the_header_and_others_are_told_why_not(
    client, city, advocate
):
    client.force_login(make_official(city))
    page = client.get(reverse("commitments:home")).text
    assert f'href="{reverse("official:page")}">Minneapolis\'s account</a>' in page.replace(
        "&#x27;", "'"
    )
    client.force_login(advocate)
    assert "account</a>" not in client.get(reverse("advocate:dashboard")).text
    refused = client.get(reverse("official:page"))
    assert refused.status_code == 403
    assert "This page is for verified city officials." in refused.text


def test_the_csv_takes_filters_and_refuses_what_it_does_not_understand(client, city, other_city):
    report(make_official(city), city, "1.1")
    report(make_official(other_city), other_city, "2.1", status=Status.IN_PROGRESS)

    def rows(query):
        response = client.get(f"{reverse('data:city_reports_csv')}?{query}")
        text = b"".join(response.streaming_content).decode()
        return [(row["city"], row["action"]) for row in csv.DictReader(io.StringIO(text))]

    assert rows(f"state=MN&city={other_city.slug}") == [("St. Paul", "2.1")]
    assert rows("status=achieved") == [("Minneapolis", "1.1")]
    assert rows("action=2.1&principle=2") == [("St. Paul", "2.1")]
    refused = client.get(f"{reverse('data:city_reports_csv')}?status=perfect")
    assert refused.status_code == 400 and "status:" in refused.text


def test_the_official_page_is_for_verified_officials_only(client, city, advocate):
    for name in ("official:page", "official:queue"):
        assert client.get(reverse(name)).url.startswith(reverse("login"))
    client.force_login(reviewer())
    assert client.get(reverse("official:page")).status_code == 403
    client.force_login(advocate)
    assert client.get(reverse("official:page")).status_code == 403
    client.force_login(make_official(city))
    assert client.get(reverse("official:page")).status_code == 200
    posted = client.post(
        reverse("official:page"),
        {**REPORTED, "action": action("2.1").pk, "happened_on": "2024-06-01"},
    )
    assert posted.status_code == 302
    assert city.city_reports.get().action.code == "2.1"


def test_the_queue_lists_latest_unanswered_disagreements(city):
    ApprovedUpdateFactory(city=city, action=action("1.1"), status=Status.NOT_STARTED)
    ApprovedUpdateFactory(city=city, action=action("1.2"), status=Status.ACHIEVED)
    official = make_official(city)
    report(official, city, "1.1", status=Status.IN_PROGRESS)
    latest = report(official, city, "1.1")
    report(official, city, "1.2")
    unrated = report(official, city, "2.1")
    assert [item.pk for item in disagreements()] == [latest.pk, unrated.pk]


def test_confirming_creates_an_approved_independent_update(city):
    ApprovedUpdateFactory(city=city, action=action("1.1"), status=Status.NOT_STARTED)
    made = report(make_official(city), city)
    update = confirm_report(made, reviewer())
    assert update.review_state == ReviewState.APPROVED and update.submitted_by == reviewer()
    assert CurrentStatus.objects.get(city=city, action=action("1.1")).status == Status.ACHIEVED
    assert list(disagreements()) == []


def test_answering_makes_the_answer_public(client, city):
    made = report(make_official(city), city)
    with pytest.raises(PermissionDenied):
        answer_report(made, UserFactory(), "No.")
    with pytest.raises(ValidationError):
        answer_report(made, reviewer(), "  ")
    answer_report(made, reviewer(), "The policy was not adopted by the council.")
    assert list(disagreements()) == []
    page = client.get(city_url(city)).content.decode()
    assert "The policy was not adopted by the council." in page
    with pytest.raises(ValidationError):
        answer_report(made, reviewer(), "Again.")


def test_reviewers_work_the_queue_from_its_page(client, city, advocate):
    ApprovedUpdateFactory(city=city, action=action("1.1"), status=Status.NOT_STARTED)
    official = make_official(city)
    answered, confirmed = report(official, city, "1.1"), report(official, city, "2.1")
    client.force_login(advocate)
    assert client.get(reverse("official:queue")).status_code == 403
    staff = reviewer()
    city.advocates.add(staff)
    client.force_login(staff)
    page = client.get(reverse("official:queue")).content.decode()
    assert page.count('name="confirm"') == 2
    client.post(reverse("official:queue"), {"report": answered.pk, "answer": "Not adopted."})
    unread = client.post(reverse("official:queue"), {"report": confirmed.pk, "confirm": "1"})
    assert "before you confirm" in client.get(unread.url).text  # and nothing changed
    assert not CurrentStatus.objects.filter(city=city, action=action("2.1")).exists()
    decision = {"report": confirmed.pk, "confirm": "1", "checked": "1", "note": "Seen."}
    client.post(reverse("official:queue"), decision)
    answered.refresh_from_db()
    assert answered.answer == "Not adopted." and answered.answered_by == staff
    assert CurrentStatus.objects.get(city=city, action=action("2.1")).status == Status.ACHIEVED
    assert "No city" in client.get(reverse("official:queue")).content.decode()


@pytest.mark.parametrize("report_id", ["", "abc", "999999"])
def test_a_decision_on_no_report_changes_nothing_and_says_so(client, city, report_id):
    report(make_official(city), city)
    client.force_login(reviewer())
    response = client.post(reverse("official:queue"), {"report": report_id, "answer": "No."})
    assert response.status_code == 302
    assert "not in the queue any more" in client.get(response.url).text
    assert not CityReport.objects.exclude(answer="").exists()


def test_confirming_keeps_the_reviewer_s_note(city):
    made = report(make_official(city), city)
    update = confirm_report(made, reviewer(), "Read the adopted policy.")
    assert (update.review_state, update.review_note) == (
        ReviewState.APPROVED,
        "Read the adopted policy.",
    )


def test_a_claim_older_than_the_rating_s_last_step_cannot_be_confirmed(client, city):
    ApprovedUpdateFactory(city=city, action=action("1.1"), status=Status.NOT_STARTED,
                          happened_on=date(2025, 1, 1))  # fmt: skip
    made = report(make_official(city), city)  # Achieved, on June 1, 2024: earlier
    before = ProgressUpdate.objects.count()
    with pytest.raises(ValidationError, match="later step"):
        confirm_report(made, reviewer())
    assert ProgressUpdate.objects.count() == before
    assert CurrentStatus.objects.get(city=city, action=action("1.1")).status == Status.NOT_STARTED
    client.force_login(reviewer())
    decision = {"report": made.pk, "confirm": "1", "checked": "1", "note": "x" * 1001}
    too_long = client.post(reverse("official:queue"), decision)
    assert "at most 1000 characters" in client.get(too_long.url).text


def test_a_report_no_longer_in_the_queue_is_neither_confirmed_nor_answered(city):
    ApprovedUpdateFactory(city=city, action=action("1.1"), status=Status.NOT_STARTED)
    official = make_official(city)
    superseded, answered, agreeing = report(official, city), report(official, city, "2.1"), None
    report(official, city, summary="We adopted it, and published it.")  # supersedes the first
    answer_report(answered, reviewer(), "Not adopted.")
    ApprovedUpdateFactory(city=city, action=action("3.1"), status=Status.ACHIEVED)
    agreeing = report(official, city, "3.1")
    for made in (superseded, answered, agreeing):
        for decide in (lambda r: confirm_report(r, reviewer()),
                       lambda r: answer_report(r, reviewer(), "No.")):  # fmt: skip
            with pytest.raises(ValidationError, match="not in the queue"):
                decide(made)
    assert not ProgressUpdate.objects.filter(action__code__in=["1.1", "2.1"], status="achieved")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL triggers")
def test_a_report_is_append_only_in_the_database(city):
    made = report(make_official(city), city)
    for write in (
        lambda reports: reports.update(summary="Rewritten."),
        lambda reports: reports.delete(),
    ):
        with pytest.raises(InternalError), transaction.atomic():
            write(CityReport.objects.filter(pk=made.pk))
    answer_report(made, reviewer(), "Not adopted.")
    with pytest.raises(InternalError), transaction.atomic():
        CityReport.objects.filter(pk=made.pk).update(answer="Changed.")


# In the grid

GRID_CELL = re.compile(r'<td><a href="/cities/mn/([^/]+)/[^#"]*#action-(\d)-(\d)">(.*?)</a></td>')
# The mark, with its words for the pointer (title) and for screen readers (hidden).
MARK = re.compile(r'title="([^"]+)">([^<]+)</span><span class="visually-hidden">; \1</span>')


def marks(client, **params):
    """{(city slug, action code): (what the city reports, in words; its mark)} of the grid."""
    body = client.get(reverse("commitments:grid"), params).content.decode()
    cells = {(slug, f"{p}.{a}"): MARK.search(cell) for slug, p, a, cell in GRID_CELL.findall(body)}
    assert cells
    return {key: mark.groups() for key, mark in cells.items() if mark}


def test_the_grid_marks_each_action_the_city_reports_on_and_where_it_differs(client, city):
    ApprovedUpdateFactory(city=city, action=action("1.1"), status=Status.NOT_STARTED)
    ApprovedUpdateFactory(city=city, action=action("1.2"), status=Status.ACHIEVED)
    official = make_official(city)
    report(official, city, "1.1", status=Status.IN_PROGRESS)
    report(official, city, "1.1")  # the latest report is the city's account
    report(official, city, "1.2")
    report(official, city, "2.1", status=Status.NOT_STARTED)  # unrated: differs too
    assert marks(client) == {
        ("minneapolis", "1.1"): ("The city reports: Achieved (differs from the rating)", "≠"),
        ("minneapolis", "1.2"): ("The city reports: Achieved", "*"),
        ("minneapolis", "2.1"): ("The city reports: Not started (differs from the rating)", "≠"),
    }
    body = client.get(reverse("commitments:grid")).content.decode()
    assert "The city reports another status</span></li>" in body  # in the legend
    principles = client.get(reverse("commitments:grid"), {"view": "principles"})
    assert "The city reports:" not in principles.content.decode()


def test_the_grid_reads_every_city_s_reports_in_one_query(client, django_assert_num_queries):
    for count in (2, 12):
        for _ in range(count - City.objects.count()):
            city = CityFactory()
            official = make_official(city)
            report(official, city)
            report(official, city, "2.1")
        with django_assert_num_queries(dict(GRID_QUERIES)["/grid/"]):
            response = client.get(reverse("commitments:grid"))
        assert response.status_code == 200
        assert response.content.decode().count(
            'title="The city reports: Achieved (differs from the rating)"'
        ) == (2 * count)


# As the record stood at the end of a past day


def on(day):
    """The clock set to noon on `day`, while what is written now is stamped then."""
    return mock.patch("django.utils.timezone.now", return_value=at_noon(day))


@pytest.fixture
def answered(city):
    """The city rated Not started (the public record begins on January 2, 2024); an official
    verified on July 1; their report of July 10 answered by the reviewers on August 1; the
    independent rating Achieved from September 1, when the council adopted the policy."""
    rated_on(city, "1.1", Status.NOT_STARTED, date(2024, 1, 1), approved=date(2024, 1, 2))
    official = make_official(city, verified_at=at_noon(date(2024, 7, 1)))
    with on(date(2024, 7, 10)):
        made = report(official, city)
    with on(date(2024, 8, 1)):
        answer_report(made, reviewer(), "The council never voted on it.")
    rated_on(city, "1.1", Status.ACHIEVED, date(2024, 8, 30), approved=date(2024, 9, 1))
    return made


@pytest.mark.parametrize(
    ("day", "verified", "reported", "answer"),
    [
        ("2024-06-30", False, False, False),
        ("2024-07-09", True, False, False),
        ("2024-07-31", True, True, False),
        ("2024-08-01", True, True, True),
    ],
)
def test_the_city_page_as_of_a_day_shows_the_city_s_account_as_it_stood(
    client, city, answered, day, verified, reported, answer
):
    body = client.get(city_url(city), {"as_of": day}).content.decode()
    assert ("verified by our staff" in body) is verified
    assert ("The city reports:" in body) is reported
    assert ("The council never voted on it." in body) is answer


def test_the_api_as_of_a_day_shows_the_city_s_report_as_it_stood(client, city, answered):
    def reported(day):
        url = reverse("api:city-detail", args=[city.state, city.slug])
        row = client.get(url, {"as_of": day}).json()["principles"][0]["actions"][0]
        return row["city_report"], row["city_report_differs"]

    assert reported("2024-07-09") == (None, False)
    detail = reverse("api:city-detail", args=[city.state, city.slug])
    verified = [client.get(detail, {"as_of": day}).json()["verified_official"]
                for day in ("2024-06-30", "2024-07-01")]  # fmt: skip
    assert verified == [False, True]
    before_the_answer, differs = reported("2024-07-31")
    assert before_the_answer["status"] == Status.ACHIEVED and differs is True
    assert (before_the_answer["answer"], before_the_answer["answered_at"]) == ("", None)
    assert reported("2024-08-01")[0]["answer"] == "The council never voted on it."
    assert reported("2024-09-01")[1] is False  # confirmed: the rating agrees from then on


def test_the_csv_as_of_a_day_holds_the_reports_as_they_stood(client, city, answered):
    def rows(**params):
        response = client.get(reverse("data:city_reports_csv"), params)
        body = io.StringIO(b"".join(response.streaming_content).decode())
        return [(row["id"], row["answer"], row["answered_at"]) for row in csv.DictReader(body)]

    answered.refresh_from_db()
    made, answered_at = str(answered.pk), answered.answered_at.isoformat()
    assert rows(as_of="2024-07-09") == []
    assert rows(as_of="2024-07-31") == [(made, "", "")]
    assert rows(as_of="2024-08-01") == [(made, "The council never voted on it.", answered_at)]
    assert rows() == rows(as_of="2024-08-01")


def test_the_grid_as_of_a_day_marks_the_reports_as_they_stood(client, city, answered):
    assert marks(client, as_of="2024-07-09") == {}
    assert marks(client, as_of="2024-07-10") == {
        ("minneapolis", "1.1"): ("The city reports: Achieved (differs from the rating)", "≠")
    }
    assert marks(client) == {("minneapolis", "1.1"): ("The city reports: Achieved", "*")}


def test_as_of_pages_with_the_city_s_account_run_their_fixed_queries(
    client, city, answered, django_assert_num_queries
):
    api = reverse("api:city-detail", args=[city.state, city.slug])
    pinned_as = {city_url(city): "/cities/oh/pastville/", "/grid/": "/grid/",
                 api: "/api/cities/oh/pastville/"}  # fmt: skip
    for path, pinned in pinned_as.items():
        with django_assert_num_queries(AS_OF_QUERIES[pinned]):
            assert client.get(path, {"as_of": "2024-08-01"}).status_code == 200


# The reviewers' way to the queue

QUEUE_LINK = '<a class="nav-link" data-as-of="today" href="/official/disagreements/">'


@pytest.fixture
def two_disagreements(city):
    ApprovedUpdateFactory(city=city, action=action("1.1"), status=Status.NOT_STARTED)
    ApprovedUpdateFactory(city=city, action=action("1.2"), status=Status.ACHIEVED)
    official = make_official(city)
    report(official, city, "1.1")
    report(official, city, "1.2")  # agrees: not in the queue
    report(official, city, "2.1")
    answer_report(report(official, city, "3.1"), reviewer(), "Not adopted.")  # answered


def test_reviewers_find_the_queue_and_its_count_in_the_header_and_the_admin(
    client, two_disagreements
):
    client.force_login(reviewer())
    page = client.get(reverse("commitments:home")).content.decode()
    assert f"{QUEUE_LINK}Disagreements (2)</a>" in page
    admin = client.get(reverse("admin:index")).content.decode()
    name = "Cities&#x27; reports that disagree with the rating"
    assert f'<a href="/official/disagreements/">{name}</a></th><td>2</td>' in admin


@pytest.mark.parametrize("who", ["anonymous", "advocate", "official", "staff"])
def test_only_reviewers_see_the_way_to_the_queue(client, city, advocate, two_disagreements, who):
    users = {"advocate": advocate, "official": make_official(city),
             "staff": UserFactory(is_staff=True, is_superuser=False)}  # fmt: skip
    if who in users:
        client.force_login(users[who])
    for page in ("commitments:home", "admin:index"):
        assert "/official/disagreements/" not in client.get(reverse(page)).content.decode()
