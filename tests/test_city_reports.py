"""The city's own account: verified officials report, beside the independent rating, which
it never moves; reviewers confirm a report or answer it publicly."""

import csv
import io
from datetime import date

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
from commitments.models import Action, CityOfficial, CityReport, CurrentStatus, ReviewState
from commitments.scoring import Status
from tests.factories import ApprovedUpdateFactory, UserFactory, reviewer
from tests.test_public_pages import CITY_PAGE_QUERIES, city_url

pytestmark = pytest.mark.django_db

REPORTED = {"status": Status.ACHIEVED, "summary": "We adopted a use-of-force policy.",
            "happened_on": date(2024, 6, 1),
            "evidence_url": "https://city.example.org/policy"}  # fmt: skip


def action(code):
    return Action.objects.get(code=code)


def make_official(city, verified=True, in_group=True):
    user = UserFactory()
    if in_group:
        user.groups.add(Group.objects.get(name="City officials"))
    staff = reviewer()
    CityOfficial.objects.create(
        user=user,
        city=city,
        verified_by=staff if verified else None,
        verified_at=timezone.now() if verified else None,
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
    assert disagreements() == []


def test_answering_makes_the_answer_public(client, city):
    made = report(make_official(city), city)
    with pytest.raises(PermissionDenied):
        answer_report(made, UserFactory(), "No.")
    with pytest.raises(ValidationError):
        answer_report(made, reviewer(), "  ")
    answer_report(made, reviewer(), "The policy was not adopted by the council.")
    assert disagreements() == []
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
    client.post(reverse("official:queue"), {"report": confirmed.pk, "confirm": "1"})
    answered.refresh_from_db()
    assert answered.answer == "Not adopted." and answered.answered_by == staff
    assert CurrentStatus.objects.get(city=city, action=action("2.1")).status == Status.ACHIEVED
    assert "No city" in client.get(reverse("official:queue")).content.decode()


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
