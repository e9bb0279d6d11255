"""Background tasks of the record: telling advocates how their submissions were reviewed,
computing the score periods again after the weights change, and building the whole logs' CSV
files after the record changes (`commitments.downloads`)."""

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from commitments.models import Pledge, ProgressUpdate, ReviewNotice, ReviewState


def after_review(item):
    """Email the submitter how `item` was reviewed, once the review's transaction commits: a
    review that is rolled back sends nothing, and nobody is told of their own review.

    Nothing is queued for a submitter without an address (such as the demo's advocates, whose
    records `seed_demo` reviews in bulk).
    """
    if item.reviewed_by_id == item.submitted_by_id or not item.submitted_by.email:
        return
    label, pk = item._meta.label_lower, item.pk
    # Robust: the review stands even if the queue cannot be reached; the failure is logged.
    transaction.on_commit(lambda: notify_reviewed.enqueue(label, pk), robust=True)


def rebuild_score_periods_later():
    """Compute the score periods again once the transaction that changed the weights commits."""
    transaction.on_commit(rebuild_score_periods.enqueue, robust=True)


@task()
def rebuild_score_periods():
    """Every city's figures at every change, computed again (`services.rebuild_score_periods`)."""
    from commitments import services  # which queue this task

    services.rebuild_score_periods()


@task()
def build_download(name):
    """Build the file of the whole log `name` for the record as it is (`downloads.build`),
    then let the next change ask for another; a build that fails leaves that to its key's
    expiry (`downloads.BUILD_SECONDS`), not to the next download."""
    from commitments import downloads, open_data  # they import this module

    downloads.build(name, open_data.WHOLE_LOGS[name])
    cache.delete(downloads.build_lock_key(name))


@task()
def notify_reviewed(model_label, pk):
    """Email the submitter of a reviewed update, evidence or pledge record the outcome, once.

    Returns whether an email was sent: not to a submitter without an address, nor again for an
    item already notified (a retried task). A failed send forgets the notice, so a retry sends.
    """
    item = apps.get_model(model_label).objects.select_related("submitted_by").get(pk=pk)
    if not item.submitted_by.email:
        return False
    notice, created = ReviewNotice.objects.get_or_create(
        item_type=ContentType.objects.get_for_model(item), item_id=item.pk
    )
    if not created:
        return False
    try:
        review_email(item).send()
    except Exception:
        notice.delete()
        raise
    return True


def review_email(item):
    """The email telling the submitter of `item` its review's outcome and the reviewer's note.

    In the site's default language, since the site keeps no language per person.
    """
    with translation.override(settings.LANGUAGE_CODE):
        context = review_context(item)
        subject = render_to_string("advocate/email/reviewed_subject.txt", context)
        context["subject"] = " ".join(subject.split())  # one line, as a header must be
        text = render_to_string("advocate/email/reviewed.txt", context)
        html = render_to_string("advocate/email/reviewed.html", context)
    message = EmailMultiAlternatives(context["subject"], text, to=[item.submitted_by.email])
    message.attach_alternative(html, "text/html")
    return message


def review_context(item):
    city = item.mayor.city if isinstance(item, Pledge) else item.city
    record_url = city.get_absolute_url()
    if isinstance(item, ProgressUpdate):
        record_url += f"#{item.action.anchor}"
    return {
        "item": item,
        "kind": item._meta.model_name,
        "approved": item.review_state == ReviewState.APPROVED,
        "person": item.submitted_by,
        "city": city,
        "record_url": absolute(record_url),
        "workspace_url": absolute(
            reverse("advocate:workspace", args=[city.state.lower(), city.slug])
        ),
        "submissions_url": absolute(reverse("advocate:submissions")),
        "site_url": settings.SITE_URL,
    }


def absolute(path):
    """A link for an email, which has no request to take the site's address from."""
    return f"{settings.SITE_URL}{path}"
