"""Following by email: double opt-in, a message per approved update or a digest, one-click
unsubscribe (RFC 8058) and the deletion of addresses never confirmed.

A follower's links carry its id signed with the site's secret (`django.core.signing`), so no
token is stored. Every change sent is claimed first in `FollowerDelivery`, whose unique
constraint keeps a retried task from sending it twice.
"""

from datetime import timedelta
from fractions import Fraction

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from commitments.models import (
    Follower,
    FollowerDelivery,
    Frequency,
    ProgressUpdate,
    ReviewState,
)
from commitments.scoring import NO_INFORMATION, Grade, Status, grade_for, rounded
from commitments.selectors import approved_evidence_prefetch, with_rating_changes

CONFIRM_SALT = "commitments.follow.confirm"
UNSUBSCRIBE_SALT = "commitments.follow.unsubscribe"
UNCONFIRMED_FOR = timedelta(days=7)


def token(follower, salt):
    # The address is signed too, so a token outlives neither the follower nor a new one.
    return signing.dumps([follower.pk, follower.email], salt=salt)


def follower_for(signed, salt, max_age=None):
    """The follower a link names, or None for a forged, expired or stale link."""
    try:
        pk, email = signing.loads(signed, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return Follower.objects.filter(pk=pk, email=email).first()


def link(follower, name, salt):
    """An absolute link for an email, in the follower's language (an email has no request)."""
    with translation.override(follower.language):
        path = reverse(name, args=[token(follower, salt)])
    return f"{settings.SITE_URL}{path}"


def send_confirmation(follower):
    """The only email an unconfirmed follower ever gets: the link that confirms."""
    context = {
        "follower": follower,
        "confirm_url": link(follower, "follow:confirm", CONFIRM_SALT),
    }
    message = rendered("confirm", follower, context)
    message.send()


def rendered(name, follower, context):
    """A plain-text and HTML message to `follower` in their language, with one-click unsubscribe."""
    unsubscribe = link(follower, "follow:unsubscribe", UNSUBSCRIBE_SALT)
    context = {**context, "subject": follower_subject(follower), "unsubscribe_url": unsubscribe}
    with translation.override(follower.language):
        subject = " ".join(render_to_string(f"following/{name}_subject.txt", context).split())
        text = render_to_string(f"following/{name}.txt", context)
        html = render_to_string(f"following/{name}.html", context)
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    message = EmailMultiAlternatives(subject, text, to=[follower.email], headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def follower_subject(follower):
    return follower.city or follower.principle


def confirm(follower):
    if follower.confirmed_at is None:
        follower.confirmed_at = timezone.now()
        follower.save(update_fields=["confirmed_at"])


def after_update_review(item):
    """Tell the followers of an approved update's city, principle and the whole tracker, once
    the review's transaction commits (called by `services.review_act`)."""
    if not isinstance(item, ProgressUpdate) or item.review_state != ReviewState.APPROVED:
        return
    pk = item.pk
    transaction.on_commit(lambda: notify_followers.enqueue(pk), robust=True)


def receiving(frequency):
    """Confirmed followers of `frequency` still accepting mail."""
    return Follower.objects.filter(
        frequency=frequency, confirmed_at__isnull=False, stopped_at__isnull=True
    )


def follower_count(city):
    """How many confirmed addresses follow the city itself: its advocates see it, not the
    public."""
    return Follower.objects.filter(
        city=city, confirmed_at__isnull=False, stopped_at__isnull=True
    ).count()


def following(update):
    return (
        Q(city__isnull=True, principle__isnull=True)
        | Q(city=update.city_id)
        | Q(principle=update.action.principle_id)
    )


def updates_for_email(updates):
    """Approved updates with what an email says of them: the rating change, and the score and
    grade before and after."""
    updates = list(
        updates.select_related("city__stored_score", "action__principle").prefetch_related(
            approved_evidence_prefetch(lookup="evidence")
        )
    )
    for update in with_rating_changes(updates):
        update.scores = score_change(update)
    return updates


def score_change(update):
    """The city's score and grade before and after `update` (after: as stored now)."""
    stored = update.city.stored_score
    change = update.rating_change
    after = Fraction(stored.score_numerator, stored.score_denominator)
    newly_rated = change.current and change.status_before is None
    rated_before = stored.rated_actions - (1 if newly_rated else 0)
    before = rounded(max(after - change.score_change, 0))
    return {
        "status_before": Status(change.status_before).label
        if change.status_before
        else NO_INFORMATION,
        "before": before,
        "after": stored.score,
        "grade_before": Grade(grade_for(before, rated_before, stored.total_actions)).label,
        "grade_after": stored.get_grade_display(),
    }


@task()
def notify_followers(update_pk):
    """Email each follower who follows an approved update immediately, once each; returns how
    many were sent. A send that fails ends the task with the rest unsent and unclaimed, so its
    retry sends to them and to nobody twice."""
    approved = updates_for_email(ProgressUpdate.objects.approved().filter(pk=update_pk))
    if not approved:
        return 0
    update = approved[0]
    followers = (
        receiving(Frequency.IMMEDIATELY)
        .filter(following(update))
        .exclude(deliveries__update=update)
    )
    return sum(send_once(follower, [update], "update") for follower in followers.iterator())


def send_once(follower, updates, template):
    """Claim each of `updates` for `follower` and send them in one message, in one transaction:
    a failed send (or a crashed worker) leaves nothing claimed, and a second worker waits on
    the claim and then skips. Returns whether a message was sent."""
    try:
        with transaction.atomic():
            FollowerDelivery.objects.bulk_create(
                [FollowerDelivery(follower=follower, update=update) for update in updates]
            )
            rendered(template, follower, {"updates": updates}).send()
    except IntegrityError:
        return False
    return True


def send_digests(frequency, now=None):
    """Send each follower of `frequency` the approved updates they follow not yet sent them,
    approved since they confirmed; returns how many digests were sent."""
    now = now or timezone.now()
    delete_unconfirmed(now)
    sent = 0
    for follower in receiving(frequency).iterator():
        updates = ProgressUpdate.objects.approved().filter(reviewed_at__gte=follower.confirmed_at)
        updates = updates.filter(digest_filter(follower)).exclude(
            pk__in=follower.deliveries.values("update")
        )
        updates = updates_for_email(updates.order_by("reviewed_at", "pk"))
        if updates:
            sent += send_once(follower, updates, "digest")
    return sent


def digest_filter(follower):
    if follower.city_id:
        return Q(city=follower.city_id)
    if follower.principle_id:
        return Q(action__principle=follower.principle_id)
    return Q()


@task()
def send_digests_task(frequency):
    return send_digests(frequency)


def delete_unconfirmed(now=None):
    """Forget addresses never confirmed within a week; returns how many."""
    cutoff = (now or timezone.now()) - UNCONFIRMED_FOR
    deleted, _ = Follower.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff).delete()
    return deleted
