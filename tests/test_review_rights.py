"""Review is a permission, not a flag: who may approve, act on every city, or skip review."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from commitments.models import Evidence, Pledge, ProgressUpdate, ReviewState
from commitments.services import (
    APPROVERS,
    REJECTERS,
    approve_update,
    propose_update,
    record_pledge,
    reject_update,
)
from tests.conftest import logged_in
from tests.factories import (
    ActionFactory,
    ApprovedEvidenceFactory,
    CityFactory,
    EvidenceFactory,
    MayorFactory,
    PledgeFactory,
    ProgressUpdateFactory,
    ReviewerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SUBMISSIONS = {
    ProgressUpdate: ProgressUpdateFactory,
    Evidence: EvidenceFactory,
    Pledge: PledgeFactory,
}


def staff_with(*codenames):
    """A staff user holding only the named permissions (no group, not a superuser)."""
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


VIEW_ONLY = ["view_progressupdate", "view_evidence", "view_pledge"]


@pytest.mark.parametrize("model", SUBMISSIONS, ids=lambda model: model.__name__)
def test_review_services_refuse_staff_without_the_review_permission(model):
    item = SUBMISSIONS[model]()
    staff = staff_with(*VIEW_ONLY)
    with pytest.raises(PermissionDenied):
        APPROVERS[model](item, reviewer=staff)
    with pytest.raises(PermissionDenied):
        REJECTERS[model](item, reviewer=staff, note="No.")
    item.refresh_from_db()
    assert item.review_state == ReviewState.PENDING


@pytest.mark.parametrize("model", ["progressupdate", "evidence", "pledge"])
def test_view_only_staff_cannot_approve_through_the_bulk_actions(client, model):
    item = SUBMISSIONS[next(m for m in SUBMISSIONS if m._meta.model_name == model)]()
    logged_in(client, staff_with(*VIEW_ONLY))
    changelist = reverse(f"admin:commitments_{model}_changelist")
    assert "approve_selected" not in client.get(changelist).content.decode()
    client.post(changelist, {"action": "approve_selected", "_selected_action": [item.pk]})
    item.refresh_from_db()
    assert item.review_state == ReviewState.PENDING


def test_a_member_of_the_reviewers_group_reviews_without_being_a_superuser():
    reviewer = ReviewerFactory()
    assert not reviewer.is_superuser
    update = approve_update(ProgressUpdateFactory(), reviewer)
    assert update.review_state == ReviewState.APPROVED


def test_staff_may_act_only_on_assigned_cities_without_the_permission():
    staff = staff_with()
    city = CityFactory()
    with pytest.raises(PermissionDenied):
        propose_update(staff, city, ActionFactory(), "achieved", "Done.", date(2024, 1, 1))
    assert not ProgressUpdate.objects.exists()


def test_acting_on_every_city_is_a_permission():
    staff = staff_with("act_on_every_city")
    city = CityFactory()
    evidence = EvidenceFactory(city=city)
    update = propose_update(
        staff, city, ActionFactory(), "achieved", "Done.", date(2024, 1, 1), [evidence]
    )
    assert update.review_state == ReviewState.PENDING


def test_staff_proposals_wait_for_review_without_the_publish_permission(client, city):
    staff = staff_with()
    city.advocates.add(staff)
    evidence = ApprovedEvidenceFactory(city=city)
    logged_in(client, staff)
    url = reverse("advocate:propose", args=[city.state.lower(), city.slug, "1.1"])
    data = {"status": "achieved", "summary": "Adopted.", "happened_on": "2024-01-01"}
    client.post(url, {**data, "existing_evidence": [evidence.pk]})
    update = ProgressUpdate.objects.get(city=city)
    assert update.review_state == ReviewState.PENDING


def test_the_publish_permission_approves_on_entry_with_the_publisher_as_reviewer(city):
    publisher = staff_with("publish_without_review")
    city.advocates.add(publisher)
    evidence = EvidenceFactory(city=city, submitted_by=publisher)
    update = propose_update(
        publisher, city, ActionFactory(), "achieved", "Done.", date(2024, 1, 1), [evidence]
    )
    pledge = record_pledge(publisher, city.mayors.get(), "urged", date(2023, 1, 1))
    assert (update.review_state, update.reviewed_by) == (ReviewState.APPROVED, publisher)
    assert (pledge.review_state, pledge.reviewed_by) == (ReviewState.APPROVED, publisher)


def test_publishing_without_review_does_not_approve_someone_elses_evidence(city):
    publisher = staff_with("publish_without_review")
    city.advocates.add(publisher)
    theirs = EvidenceFactory(city=city)  # an advocate's, waiting for a reviewer
    update = propose_update(
        publisher, city, ActionFactory(), "achieved", "Done.", date(2024, 1, 1), [theirs]
    )
    theirs.refresh_from_db()
    assert (update.review_state, theirs.review_state) == (ReviewState.PENDING,) * 2


def pending_update_page(client, update):
    return client.get(reverse("admin:commitments_progressupdate_change", args=[update.pk]))


def test_a_pending_update_page_shows_the_proposal_beside_the_current_status(staff_client):
    city, action = CityFactory(), ActionFactory(code="2.1")
    current = ProgressUpdateFactory(
        city=city, action=action, status="in_progress", summary="Training funded."
    )
    approve_update(current, ReviewerFactory())
    evidence = EvidenceFactory(
        city=city,
        title="Academy curriculum",
        publisher="Police Academy",
        url="https://example.org/curriculum",
        published_on=date(2024, 4, 2),
    )
    proposal = ProgressUpdateFactory(
        city=city, action=action, evidence=[evidence], summary="Every officer trained."
    )
    body = pending_update_page(staff_client, proposal).content.decode()
    assert "Training funded." in body and "Every officer trained." in body
    assert '<a href="https://example.org/curriculum"' in body
    assert "Police Academy" in body and "April 2, 2024" in body
    assert 'value="approve"' in body and 'value="reject"' in body


def test_the_review_buttons_show_only_to_reviewers_and_only_while_pending(client, staff_client):
    update = ProgressUpdateFactory()
    logged_in(client, staff_with(*VIEW_ONLY))
    assert 'value="approve"' not in pending_update_page(client, update).content.decode()
    approve_update(update, ReviewerFactory())
    assert 'value="approve"' not in pending_update_page(staff_client, update).content.decode()


def review(client, item, **data):
    model = item._meta.model_name
    return client.post(reverse(f"admin:commitments_{model}_review", args=[item.pk]), data)


def test_approve_from_the_item_page_goes_on_to_the_next_pending_item(staff_client):
    first, second = ProgressUpdateFactory(), ProgressUpdateFactory()
    response = review(staff_client, first, decision="approve")
    first.refresh_from_db()
    assert first.review_state == ReviewState.APPROVED
    assert response.url == reverse("admin:commitments_progressupdate_change", args=[second.pk])


def test_reject_from_the_item_page_needs_a_note(staff_client):
    update = ProgressUpdateFactory()
    review(staff_client, update, decision="reject", note=" ")
    update.refresh_from_db()
    assert update.review_state == ReviewState.PENDING
    review(staff_client, update, decision="reject", note="The link is a rumour.")
    update.refresh_from_db()
    assert (update.review_state, update.review_note) == (
        ReviewState.REJECTED,
        "The link is a rumour.",
    )


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_the_item_page_review_is_refused_without_the_permission(client, decision):
    update = ProgressUpdateFactory()
    logged_in(client, staff_with(*VIEW_ONLY))
    response = review(client, update, decision=decision, note="No.")
    assert response.status_code == 403
    update.refresh_from_db()
    assert update.review_state == ReviewState.PENDING


def test_the_admin_index_says_how_many_submissions_wait(staff_client, client):
    ProgressUpdateFactory.create_batch(2)
    PledgeFactory()
    body = staff_client.get(reverse("admin:index")).content.decode()
    # Two updates, their two pieces of evidence, one pledge.
    assert "Waiting for review: 5" in body
    logged_in(client, staff_with(*VIEW_ONLY))
    assert "Waiting for review" not in client.get(reverse("admin:index")).content.decode()


def test_an_update_whose_evidence_was_all_rejected_cannot_be_approved():
    update = ProgressUpdateFactory()
    reviewer = ReviewerFactory()
    REJECTERS[Evidence](update.evidence.get(), reviewer, note="Dead link.")
    with pytest.raises(ValidationError, match="no evidence left"):
        approve_update(update, reviewer)
    update.refresh_from_db()
    assert update.review_state == ReviewState.PENDING


def test_approving_an_update_approves_its_pending_evidence():
    update = approve_update(ProgressUpdateFactory(), ReviewerFactory())
    assert update.evidence.get().review_state == ReviewState.APPROVED


def test_rejecting_an_update_rejects_the_evidence_no_live_update_relies_on():
    city, reviewer = CityFactory(), ReviewerFactory()
    own, shared = EvidenceFactory(city=city), EvidenceFactory(city=city)
    rejected = ProgressUpdateFactory(city=city, evidence=[own, shared])
    ProgressUpdateFactory(city=city, action=ActionFactory(code="2.1"), evidence=[shared])
    reject_update(rejected, reviewer, note="Not what the ordinance says.")
    own.refresh_from_db()
    shared.refresh_from_db()
    assert (own.review_state, own.review_note) == (
        ReviewState.REJECTED,
        "Not what the ordinance says.",
    )
    assert shared.review_state == ReviewState.PENDING


def test_a_pledge_is_recorded_once_however_often_it_is_posted(city, advocate):
    mayor = city.mayors.get()
    first = record_pledge(advocate, mayor, "urged", date(2023, 1, 1), "https://example.org/a")
    again = record_pledge(advocate, mayor, "urged", date(2023, 1, 1), "https://example.org/b")
    assert again == first
    assert Pledge.objects.count() == 1


def test_a_new_mayor_can_be_urged_separately():
    city = CityFactory()
    advocate = UserFactory()
    city.advocates.add(advocate)
    former = MayorFactory(city=city, term_start=date(2014, 1, 1), term_end=date(2021, 12, 31))
    sitting = MayorFactory(city=city, term_start=date(2022, 1, 1))
    record_pledge(advocate, former, "urged", date(2021, 6, 1))
    record_pledge(advocate, sitting, "urged", date(2022, 6, 1))
    assert Pledge.objects.count() == 2


def add_update(client, **data):
    return client.post(
        reverse("admin:commitments_progressupdate_add"),
        {"action": ActionFactory().pk, "status": "achieved", "summary": "Adopted.",
         "happened_on": "2024-01-01", **data},
    )  # fmt: skip


def test_the_admin_add_form_says_what_the_service_would_refuse(client, staff_client):
    city, elsewhere = CityFactory(), CityFactory()
    foreign = ApprovedEvidenceFactory(city=elsewhere)
    response = add_update(staff_client, city=city.pk, evidence=[foreign.pk])
    assert f"Attach only evidence about {city}." in response.content.decode()
    rejected = EvidenceFactory(city=city)
    REJECTERS[Evidence](rejected, ReviewerFactory(), note="Dead link.")
    response = add_update(staff_client, city=city.pk, evidence=[rejected.pk])
    assert "All of this evidence was rejected" in response.content.decode()
    logged_in(client, staff_with("add_progressupdate", "view_progressupdate"))
    response = add_update(client, city=city.pk, evidence=[ApprovedEvidenceFactory(city=city).pk])
    assert f"You are not assigned to {city}." in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_the_review_url_answers_404_for_an_unknown_item(staff_client):
    url = reverse("admin:commitments_progressupdate_review", args=["abc"])
    assert staff_client.post(url, {"decision": "approve"}).status_code == 404
