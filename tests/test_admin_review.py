"""Staff review advocates' submissions in Django admin; reviewed entries cannot be rewritten."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from commitments.models import Action, CurrentStatus, ProgressUpdate, ReviewState
from tests.factories import (
    ApprovedUpdateFactory,
    CityFactory,
    EvidenceFactory,
    MayorFactory,
    PledgeFactory,
    PoliceKillingFactory,
    ProgressUpdateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "cities_city",
    "cities_mayor",
    "cities_policekilling",
    "commitments_principle",
    "commitments_action",
    "commitments_pledge",
    "commitments_evidence",
    "commitments_progressupdate",
    "commitments_currentstatus",
]


@pytest.mark.parametrize("name", CHANGELISTS)
def test_every_model_has_a_working_changelist(staff_client, name):
    ApprovedUpdateFactory()
    PledgeFactory()
    PoliceKillingFactory()
    response = staff_client.get(reverse(f"admin:{name}_changelist"), {"q": "a"})
    assert response.status_code == 200


def test_mayors_are_inline_on_their_city(staff_client):
    mayor = MayorFactory(name="Jo Inline")
    response = staff_client.get(reverse("admin:cities_city_change", args=[mayor.city.pk]))
    assert "Jo Inline" in response.content.decode()


def post_action(client, model, action, items, **extra):
    return client.post(
        reverse(f"admin:commitments_{model}_changelist"),
        {"action": action, "_selected_action": [item.pk for item in items], **extra},
    )


def test_bulk_approve_records_reviewer_and_makes_status_current(staff_client, staff_user):
    updates = [ProgressUpdateFactory(action__code=code) for code in ("1.1", "2.1")]
    post_action(staff_client, "progressupdate", "approve_selected", updates)
    for update in updates:
        update.refresh_from_db()
        assert update.review_state == ReviewState.APPROVED
        assert update.reviewed_by == staff_user
        assert update.reviewed_at is not None
        assert CurrentStatus.objects.get(city=update.city, action=update.action).update == update
        assert update.evidence.get().review_state == ReviewState.APPROVED


def test_reject_asks_for_a_note_first(staff_client):
    update = ProgressUpdateFactory()
    response = post_action(staff_client, "progressupdate", "reject_selected", [update])
    assert response.status_code == 200
    assert f'name="note-{update.pk}"' in response.content.decode()
    update.refresh_from_db()
    assert update.review_state == ReviewState.PENDING


def test_reject_without_note_changes_nothing(staff_client):
    update = ProgressUpdateFactory()
    post_action(
        staff_client, "progressupdate", "reject_selected", [update], confirm="yes",
        **{f"note-{update.pk}": "  "},
    )  # fmt: skip
    update.refresh_from_db()
    assert update.review_state == ReviewState.PENDING


def test_reject_with_a_note_per_item(staff_client, staff_user):
    first, second = EvidenceFactory(), EvidenceFactory()
    notes = {f"note-{first.pk}": "Broken link.", f"note-{second.pk}": "Not about this city."}
    post_action(
        staff_client, "evidence", "reject_selected", [first, second], confirm="yes", **notes
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.review_state, first.review_note) == (ReviewState.REJECTED, "Broken link.")
    assert (second.review_state, second.review_note) == (
        ReviewState.REJECTED,
        "Not about this city.",
    )
    assert first.reviewed_by == staff_user


def test_approving_twice_is_refused(staff_client):
    update = ApprovedUpdateFactory()
    reviewed_at = update.reviewed_at
    response = post_action(staff_client, "progressupdate", "approve_selected", [update])
    update.refresh_from_db()
    assert update.reviewed_at == reviewed_at
    assert response.status_code == 302


def test_approved_update_cannot_be_edited(staff_client):
    update = ApprovedUpdateFactory(summary="Original words")
    url = reverse("admin:commitments_progressupdate_change", args=[update.pk])
    staff_client.post(url, {"summary": "Rewritten", "status": "reversed"})
    update.refresh_from_db()
    assert (update.summary, update.status) == ("Original words", "achieved")


def test_updates_cannot_be_deleted(staff_client):
    update = ApprovedUpdateFactory()
    url = reverse("admin:commitments_progressupdate_delete", args=[update.pk])
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    assert ProgressUpdate.objects.filter(pk=update.pk).exists()


def test_staff_update_in_admin_is_approved_on_entry(staff_client, staff_user):
    city = CityFactory()
    evidence = EvidenceFactory(city=city)
    response = staff_client.post(
        reverse("admin:commitments_progressupdate_add"),
        {
            "city": city.pk,
            "action": Action.objects.get(code="3.3").pk,
            "status": "in_progress",
            "summary": "Residency incentive proposed.",
            "happened_on": "2025-02-03",
            "evidence": [evidence.pk],
        },
    )
    assert response.status_code == 302
    update = ProgressUpdate.objects.get(city=city)
    assert (update.review_state, update.submitted_by) == (ReviewState.APPROVED, staff_user)
    assert CurrentStatus.objects.filter(update=update).exists()


def test_reviews_are_kept_in_the_admin_history(staff_client):
    update = ProgressUpdateFactory()
    post_action(staff_client, "progressupdate", "reject_selected", [update], confirm="yes",
                **{f"note-{update.pk}": "Source is a rumour."})  # fmt: skip
    entry = LogEntry.objects.get(object_id=str(update.pk))
    assert entry.get_change_message() == "Rejected: Source is a rumour."


def test_city_changelist_reads_the_scored_queryset(staff_client):
    city = CityFactory(name="Scoredville")
    city.advocates.add(UserFactory(), UserFactory())
    ApprovedUpdateFactory(city=city, action=Action.objects.get(code="1.1"))
    body = staff_client.get(reverse("admin:cities_city_changelist")).content.decode()
    # 100 / 5 on principle 1, / 7 = 2.86: shown as 3; two advocates do not double it.
    assert '<td class="field-score">3</td>' in body
    assert '<td class="field-coverage">1 of 27</td>' in body
    assert '<td class="field-advocate_count">2</td>' in body
