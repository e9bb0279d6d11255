"""Advocates log progress in the browser; staff review it; the public record follows."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commitments.models import (
    Action,
    CurrentStatus,
    Evidence,
    Pledge,
    ProgressUpdate,
    ReviewState,
)
from commitments.services import approve_pledge, approve_update, reject_update
from tests.factories import ApprovedEvidenceFactory, ApprovedUpdateFactory, EvidenceFactory

pytestmark = pytest.mark.django_db


def proposal(**overrides):
    data = {
        "status": "in_progress",
        "summary": "The council formed a task force on independent investigations.",
        "happened_on": "2025-03-04",
        "evidence_title": "Council resolution 2025-17",
        "evidence_url": "https://example.org/resolution-2025-17",
        "evidence_publisher": "City Council",
        "evidence_published_on": "2025-03-05",
        "evidence_kind": "meeting_record",
        "evidence_excerpt": "Resolved, that a task force be formed.",
    }
    return {**data, **overrides}


def propose_url(city, code="1.1"):
    return reverse("advocate:propose", args=[city.state.lower(), city.slug, code])


def city_args(city):
    return [city.state.lower(), city.slug]


def public_page(city):
    return Client().get(city.get_absolute_url()).content.decode()


# --- Who may do what -------------------------------------------------------------------------

CITY_PAGES = [
    ("get", "advocate:workspace", []),
    ("get", "advocate:pledge", []),
    ("post", "advocate:pledge", []),
    ("get", "advocate:propose", ["1.1"]),
    ("post", "advocate:propose", ["1.1"]),
    ("get", "advocate:row", ["1.1"]),
]


@pytest.mark.parametrize(("method", "name", "extra"), CITY_PAGES)
@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 302), ("advocate", 200), ("other_advocate", 403), ("staff_user", 200)],
)
def test_city_pages_permission_matrix(
    request, client, city, method, name, extra, persona, expected
):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    data = proposal(status="bogus") if method == "post" else None  # invalid: re-shows the form
    response = getattr(client, method)(reverse(name, args=city_args(city) + extra), data)
    assert response.status_code == expected
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    assert not ProgressUpdate.objects.exists() and not Pledge.objects.exists()


@pytest.mark.parametrize("name", ["advocate:dashboard", "advocate:submissions"])
@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 302), ("advocate", 200), ("other_advocate", 200), ("staff_user", 200)],
)
def test_own_pages_permission_matrix(request, client, city, name, persona, expected):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(name)).status_code == expected


def test_other_advocate_cannot_propose_even_a_valid_update(other_advocate_client, city):
    response = other_advocate_client.post(propose_url(city), proposal())
    assert response.status_code == 403
    assert not ProgressUpdate.objects.exists() and not Evidence.objects.exists()


def test_dashboard_lists_only_assigned_cities(advocate_client, city, other_city):
    body = advocate_client.get(reverse("advocate:dashboard")).content.decode()
    assert "Minneapolis" in body and "St. Paul" not in body


def test_unknown_city_or_action_is_404(advocate_client, city):
    assert advocate_client.get("/advocate/cities/mn/nowhere/").status_code == 404
    assert advocate_client.post(propose_url(city, "9.9"), proposal()).status_code == 404
    assert not ProgressUpdate.objects.exists()


# --- The review loop ---------------------------------------------------------------------------


def test_full_loop_from_proposal_to_public_score(advocate_client, advocate, city, staff_user):
    before = public_page(city)
    assert "Council resolution 2025-17" not in before

    response = advocate_client.post(propose_url(city), proposal())
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert (update.review_state, update.submitted_by) == (ReviewState.PENDING, advocate)
    assert update.evidence.get().review_state == ReviewState.PENDING

    pending_page = public_page(city)
    assert "Council resolution 2025-17" not in pending_page
    assert "task force on independent investigations" not in pending_page
    assert '<span class="score-big">0</span>' in pending_page

    approve_update(update, staff_user)
    after = public_page(city)
    assert "Council resolution 2025-17" in after
    assert "task force on independent investigations" in after
    # In progress on 1.1: 25 / 5 actions = 5 for principle 1; 5 / 7 = 0.7, shown as 1.
    assert '<span class="score-big">1</span>' in after


def test_staff_proposals_are_approved_on_entry(staff_client, city):
    staff_client.post(propose_url(city), proposal(status="achieved"))
    update = ProgressUpdate.objects.get()
    assert update.review_state == ReviewState.APPROVED
    assert CurrentStatus.objects.get(city=city).update == update
    assert "Council resolution 2025-17" in public_page(city)


def test_rejection_note_is_shown_to_the_advocate(advocate_client, city, staff_user):
    advocate_client.post(propose_url(city), proposal())
    reject_update(ProgressUpdate.objects.get(), staff_user, note="The resolution was tabled.")
    body = advocate_client.get(reverse("advocate:submissions")).content.decode()
    assert "Rejected" in body and "The resolution was tabled." in body


def test_approving_an_older_update_does_not_replace_a_newer_status(city, staff_user):
    action = Action.objects.get(code="2.1")
    newer = ApprovedUpdateFactory(city=city, action=action, happened_on=date(2025, 6, 1))
    older = ApprovedUpdateFactory(
        city=city, action=action, status="in_progress", happened_on=date(2024, 1, 1)
    )
    assert older.review_state == ReviewState.APPROVED
    assert CurrentStatus.objects.get(city=city, action=action).update == newer


def test_proposal_with_existing_evidence(advocate_client, city):
    evidence = ApprovedEvidenceFactory(city=city, title="Adopted policy")
    data = proposal(
        evidence_title="", evidence_url="", evidence_publisher="", evidence_published_on="",
        evidence_kind="", evidence_excerpt="", existing_evidence=[evidence.pk],
    )  # fmt: skip
    assert advocate_client.post(propose_url(city), data).status_code == 302
    assert list(ProgressUpdate.objects.get().evidence.all()) == [evidence]
    assert Evidence.objects.count() == 1


def test_htmx_proposal_updates_the_row_in_place(advocate_client, city):
    form = advocate_client.get(propose_url(city), headers={"HX-Request": "true"})
    assert form.content.decode().startswith('<tr id="row-11">')
    assert 'data-hx-post="' in form.content.decode()
    response = advocate_client.post(propose_url(city), proposal(), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<tr id="row-11">') and "Pending:" in body
    assert "<html" not in body
    assert ProgressUpdate.objects.count() == 1


def test_the_proposal_page_of_its_own_posts_as_a_plain_form(advocate_client, city):
    """htmx would swap its answer into the form's table row, and a page of its own has none:
    with htmx loaded, a form that asked for it would send nothing."""
    body = advocate_client.get(propose_url(city)).content.decode()
    assert f'<form method="post" action="{propose_url(city)}"' in body
    assert "data-hx-post" not in body


def test_htmx_errors_come_back_in_the_row(advocate_client, city):
    response = advocate_client.post(
        propose_url(city), proposal(summary=""), headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.startswith('<tr id="row-11">') and "This field is required" in body


def test_workspace_works_without_javascript(advocate_client, city):
    body = advocate_client.get(reverse("advocate:workspace", args=city_args(city))).content.decode()
    assert body.count('<a class="btn btn-sm btn-outline-primary" href="/advocate/cities/mn/') == 27


def test_dashboard_shows_stale_actions_and_pending_items(advocate_client, city):
    recent = timezone.localdate() - timedelta(days=30)
    ApprovedUpdateFactory(city=city, action=Action.objects.get(code="1.1"), happened_on=recent)
    old = timezone.localdate() - timedelta(days=400)
    ApprovedUpdateFactory(city=city, action=Action.objects.get(code="1.2"), happened_on=old)
    advocate_client.post(propose_url(city, "1.3"), proposal())
    body = advocate_client.get(reverse("advocate:dashboard")).content.decode()
    assert "26 stale actions" in body
    assert "1.2 Independent civilian review board" in body
    assert "1.1 Police do not investigate themselves" not in body
    assert "1 proposal and 0 pledge records pending review" in body


# --- Pledge outreach ---------------------------------------------------------------------------


def test_pledge_outreach_goes_through_review(advocate_client, city, staff_user):
    url = reverse("advocate:pledge", args=city_args(city))
    data = {"status": "signed", "date": "2025-01-10", "source_url": "https://example.org/signed"}
    assert advocate_client.post(url, data).status_code == 302
    pledge = Pledge.objects.get()
    assert pledge.review_state == ReviewState.PENDING
    assert "Signed" not in public_page(city)
    approve_pledge(pledge, staff_user)
    assert "Signed" in public_page(city)


def test_signed_pledge_needs_a_source(advocate_client, city):
    url = reverse("advocate:pledge", args=city_args(city))
    response = advocate_client.post(url, {"status": "signed", "date": "2025-01-10"})
    assert "A signature needs a source." in response.content.decode()
    assert not Pledge.objects.exists()


# --- Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"evidence_url": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"evidence_url": "ftp://example.org/file"}, "Enter a valid URL."),
        ({"happened_on": (date.today() + timedelta(days=3)).isoformat()}, "in the future"),
        ({"evidence_published_on": "2999-01-01"}, "in the future"),
        ({"summary": "   "}, "This field is required."),
        ({"status": "done"}, "Select a valid choice."),
        ({"happened_on": "yesterday"}, "Enter a valid date."),
        ({"evidence_publisher": ""}, "Needed for new evidence."),
        (
            {"evidence_title": "", "evidence_url": "", "evidence_publisher": "",
             "evidence_published_on": "", "evidence_kind": "", "evidence_excerpt": ""},
            "Attach at least one piece of evidence",
        ),
    ],
)  # fmt: skip
def test_bad_proposals_are_refused_with_a_message(advocate_client, city, overrides, message):
    response = advocate_client.post(propose_url(city), proposal(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProgressUpdate.objects.exists() and not Evidence.objects.exists()


def test_tampered_evidence_from_another_city_is_refused(advocate_client, city, other_city):
    foreign = ApprovedEvidenceFactory(city=other_city)
    pending_own = EvidenceFactory(city=city)
    for pk in (foreign.pk, pending_own.pk, 999999):
        response = advocate_client.post(propose_url(city), proposal(existing_evidence=[pk]))
        assert "Select a valid choice" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_posting_twice_logs_one_update(advocate_client, city):
    advocate_client.post(propose_url(city), proposal())
    advocate_client.post(propose_url(city), proposal())
    assert ProgressUpdate.objects.count() == 1
    assert Evidence.objects.count() == 1


def test_csrf_protection_is_on(city, advocate):
    client = Client(enforce_csrf_checks=True)
    client.force_login(advocate)
    assert client.post(propose_url(city), proposal()).status_code == 403
    assert not ProgressUpdate.objects.exists()


# --- Accounts ----------------------------------------------------------------------------------


def test_login_page_and_login(client, advocate):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(
        reverse("login"), {"username": "advocate", "password": "correct horse battery"}
    )
    assert response["Location"] == reverse("advocate:dashboard")


def test_password_reset_sends_an_email(client, advocate):
    client.post(reverse("password_reset"), {"email": advocate.email})
    assert len(mail.outbox) == 1 and advocate.email in mail.outbox[0].to


def test_password_change(advocate_client, advocate):
    assert advocate_client.get(reverse("password_change")).status_code == 200
    new = "a much longer passphrase 42"
    response = advocate_client.post(
        reverse("password_change"),
        {"old_password": "correct horse battery", "new_password1": new, "new_password2": new},
    )
    assert response["Location"] == reverse("password_change_done")
    advocate.refresh_from_db()
    assert advocate.check_password(new)


def test_logout_is_a_post(advocate_client):
    response = advocate_client.post(reverse("logout"))
    assert response.status_code == 302
    assert advocate_client.get(reverse("advocate:dashboard")).status_code == 302


def test_admin_assigns_cities_on_the_user_page(staff_client, advocate, city):
    body = staff_client.get(reverse("admin:auth_user_change", args=[advocate.pk])).content
    assert b"Assigned cities" in body and b"Minneapolis" in body


def test_no_sign_up_page(client):
    assert client.get("/accounts/signup/").status_code == 404
