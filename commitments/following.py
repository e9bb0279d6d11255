"""Following by email: double opt-in, a message per approved update or a digest, one-click
unsubscribe (RFC 8058) and the deletion of addresses never confirmed.

A follower's links carry its id and a keyed hash of its address, signed with the site's secret
(`django.core.signing`), so no token is stored and no address can be read in a link. Every
change sent is claimed first in `FollowerDelivery`, whose unique constraint keeps a retried task
from sending it twice.
"""

import hashlib
from datetime import timedelta
from smtplib import SMTPRecipientsRefused
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core import mail, signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext, gettext_lazy, ngettext
from django_tasks import task

from cities.models import City
from commitments.models import (
    Follower,
    FollowerDelivery,
    Frequency,
    ProgressUpdate,
    RatingPeriod,
    StopReason,
)
from commitments.scores import scored_at
from commitments.scoring import NO_INFORMATION, Grade, Status
from commitments.selectors import approved_evidence_prefetch, with_rating_changes

CONFIRM_SALT = "commitments.follow.confirm"
UNSUBSCRIBE_SALT = "commitments.follow.unsubscribe"
UNCONFIRMED_FOR = timedelta(days=7)


def token(follower, salt):
    # The address is bound too, so a token outlives neither the follower nor a new one; only
    # its keyed hash, as links land in access logs.
    return signing.dumps([follower.pk, address_binding(follower.email, salt)], salt=salt)


def address_binding(email, salt):
    return salted_hmac(salt, email, algorithm="sha256").hexdigest()[:20]


def follower_for(signed, salt, max_age=None):
    """The follower a signed link names (with what it follows), or None when it is gone (it
    left, or was never confirmed in time). A forged, cut or expired link raises
    `signing.BadSignature`."""
    pk, binding = signing.loads(signed, salt=salt, max_age=max_age)
    follower = Follower.objects.select_related("city", "principle").filter(pk=pk).first()
    if follower and constant_time_compare(address_binding(follower.email, salt), binding):
        return follower
    return None


def absolute(follower, path):
    """An absolute link for an email, to the path `path()` gives in the follower's language
    (an email has no request)."""
    with translation.override(follower.language):
        return f"{settings.SITE_URL}{path()}"


def link(follower, name, salt):
    """A signed link to the page `name` for `follower`."""
    return absolute(follower, lambda: reverse(name, args=[token(follower, salt)]))


def send_confirmation(follower):
    """The only email an unconfirmed follower ever gets: the link that confirms."""
    context = {"confirm_url": link(follower, "follow:confirm", CONFIRM_SALT)}
    message = rendered("confirm", follower, context)
    message.send()


def send_already_following(follower):
    """What a confirmed address that asks to follow the same again is sent (the form answers
    alike whoever follows what): how often it gets emails, and how to change that."""
    rendered("already_following", follower, {}).send()


def rendered(name, follower, context):
    """A plain-text and HTML message to `follower` in their language, with one-click unsubscribe."""
    unsubscribe = link(follower, "follow:unsubscribe", UNSUBSCRIBE_SALT)
    with translation.override(follower.language):
        context = {**context, **about(follower), "unsubscribe_url": unsubscribe,
                   "frequency_explained": frequency_explained(follower.frequency)}  # fmt: skip
        subject = " ".join(render_to_string(f"following/{name}_subject.txt", context).split())
        context["title"] = subject
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
    """What `follower` follows: a city, a principle, or None for the whole tracker."""
    return follower.city or follower.principle


# Each frequency as it reads within a sentence ("Send updates about Oakland, CA, immediately").
HOW_OFTEN = {
    Frequency.IMMEDIATELY: gettext_lazy("immediately"),
    Frequency.DAILY: gettext_lazy("in a daily digest"),
    Frequency.WEEKLY: gettext_lazy("in a weekly digest"),
}


def about(follower):
    """What pages and emails say of a follower: its address, what it follows, how often."""
    return {
        "follower": follower,
        "subject": follower_subject(follower),
        "how_often": HOW_OFTEN[follower.frequency],
    }


def frequency_explained(frequency):
    """What following at `frequency` sends, in the active language."""
    if frequency == Frequency.DAILY:
        return gettext(
            "A daily digest means at most one email a day, with every change since the last."
        )
    if frequency == Frequency.WEEKLY:
        return gettext(
            "A weekly digest means at most one email a week, with every change since the last."
        )
    minutes = settings.FOLLOW_THROTTLE_MINUTES
    # Translators: the English says "minutes" even for 1; translate each plural form properly.
    return ngettext(
        "Immediately means one email per change, at most one every %(minutes)s minutes (the "
        "changes in between come together).",
        "Immediately means one email per change, at most one every %(minutes)s minutes (the "
        "changes in between come together).",
        minutes,
    ) % {"minutes": minutes}


def confirm(follower):
    if follower.confirmed_at is None:
        follower.confirmed_at = timezone.now()
        follower.save(update_fields=["confirmed_at"])


def after_update_review(update):
    """Tell the followers of an approved update's city, principle and the whole tracker, once
    the approval's transaction commits (called by `services._approve_update`)."""
    pk = update.pk
    transaction.on_commit(lambda: notify_followers.enqueue(pk), robust=True)


def receiving(frequency=None):
    """Confirmed followers (of `frequency`) still accepting mail."""
    followers = Follower.objects.filter(confirmed_at__isnull=False, stopped_at__isnull=True)
    return followers if frequency is None else followers.filter(frequency=frequency)


def follower_count(city):
    """How many confirmed addresses follow the city itself: its advocates see it, not the
    public."""
    return receiving().filter(city=city).count()


def following(update):
    """The followers of `update`: of its city, of its principle or of the whole tracker."""
    return (
        Q(city__isnull=True, principle__isnull=True)
        | Q(city=update.city_id)
        | Q(principle=update.action.principle_id)
    )


def followed_by(follower):
    """The updates `follower` follows."""
    if follower.city_id:
        return Q(city=follower.city_id)
    if follower.principle_id:
        return Q(action__principle=follower.principle_id)
    return Q()


def due(frequency, now):
    """Followers of `frequency` whose last message (if any) is at least the gap old."""
    last_sent = Max("deliveries__sent_at")
    return (
        receiving(frequency)
        .select_related("city", "principle")
        .alias(last_sent=last_sent)
        .filter(Q(last_sent__isnull=True) | Q(last_sent__lte=now - message_gap(frequency)))
    )


def message_gap(frequency):
    """The least time between two messages to one follower: the throttle for those who follow
    immediately (a burst of approvals goes as one message), a day or a week for digests (less
    an hour, so that a digest sent some minutes late does not push the next one later)."""
    if frequency == Frequency.IMMEDIATELY:
        return timedelta(minutes=settings.FOLLOW_THROTTLE_MINUTES)
    days = 1 if frequency == Frequency.DAILY else 7
    return timedelta(days=days) - timedelta(hours=1)


def unsent(follower):
    """The ids of the approved updates `follower` follows that changed the public rating (an
    update approved after a later step never does), approved since they confirmed and not
    yet sent to their address (which may follow a city and the whole tracker both), oldest
    first."""
    rated = RatingPeriod.objects.filter(update=OuterRef("pk"))
    updates = ProgressUpdate.objects.approved().filter(
        Exists(rated), followed_by(follower), reviewed_at__gte=follower.confirmed_at
    )
    sent = FollowerDelivery.objects.filter(follower__email=follower.email).values("update")
    updates = updates.exclude(pk__in=sent)
    return list(updates.order_by("reviewed_at", "pk").values_list("pk", flat=True))


def updates_for_email(ids, follower, scores=None):
    """The approved updates `ids` with what an email to `follower` says of them: the status
    before, the city's score and grade before and after (kept in `scores` by update, for the
    other followers of a run), and the link to the action's row on the city's page."""
    scores = {} if scores is None else scores
    updates = ProgressUpdate.objects.filter(pk__in=ids).order_by("reviewed_at", "pk")
    updates = list(
        updates.select_related("city", "action__principle").prefetch_related(
            approved_evidence_prefetch(lookup="evidence")
        )
    )
    for update in with_rating_changes(updates):
        if update.pk not in scores:
            scores[update.pk] = score_change(update)
        update.scores = scores[update.pk]
        update.url = absolute(follower, update.city.get_absolute_url) + f"#{update.action.anchor}"
    return updates


def score_change(update):
    """The city's score and grade just before `update`'s approval and just after, as the record
    stood then (`scores.scored_at`: exact however much later the message goes)."""
    city = City.objects.filter(pk=update.city_id)
    before, after = (
        scored_at(moment, city).values("score", "grade").get()
        for moment in (update.reviewed_at, update.reviewed_at + timedelta(microseconds=1))
    )
    status_before = update.rating_change.status_before if update.rating_change.current else None
    return {
        "status_before": Status(status_before).label if status_before else NO_INFORMATION,
        "before": before["score"],
        "after": after["score"],
        "grade_before": Grade(before["grade"]).label,
        "grade_after": Grade(after["grade"]).label,
    }


@task()
def notify_followers(update_pk):
    """Email the immediate followers of an approved update, each the updates not yet sent them
    (this one among them) unless they had a message within the throttle's gap; the
    periodic `send_due` sends theirs when the gap has passed. Returns how many were sent."""
    update = ProgressUpdate.objects.approved().select_related("action").filter(pk=update_pk)
    update = update.first()
    if update is None:
        return 0
    followers = due(Frequency.IMMEDIATELY, timezone.now()).filter(following(update))
    return send_to(followers)


def send_due(now=None):
    """Send every follower whose message is due the updates not yet sent them (the immediate
    ones held back by the throttle or by a failed send, and the digests); forget addresses
    never confirmed. Run every few minutes (`manage.py send_follower_mail`); returns how many
    messages were sent."""
    now = now or timezone.now()
    delete_unconfirmed(now)
    return sum(send_to(due(frequency, now)) for frequency in Frequency.values)


def send_to(followers):
    """Send each of `followers` their unsent updates over one connection; returns how many
    messages were sent. A recipient the server refuses is skipped (and stopped if the refusal
    is permanent); any other failure ends the batch, and the next run resumes it."""
    sent, connection, scores = 0, mail.get_connection(), {}
    try:
        for follower in followers.iterator():
            ids = unsent(follower)
            if not ids:
                continue
            connection.open()  # once, at the first message: a run with none opens nothing
            try:
                sent += send_once(follower, ids, connection, scores)
            except SMTPRecipientsRefused as refused:
                stop_if_bounced(follower, refused)
    finally:
        connection.close()
    return sent


def send_once(follower, ids, connection=None, scores=None):
    """Claim the updates `ids` for `follower` and send them in one message, in one transaction:
    a failed send (or a crashed worker) leaves nothing claimed, and a second worker waits on
    the claim and then skips. A message tells the first updates in full and counts the rest
    (a bulk approval must not make a message nobody reads). Returns whether it was sent."""
    shown = settings.FOLLOW_UPDATES_PER_MESSAGE
    try:
        with transaction.atomic():
            FollowerDelivery.objects.bulk_create(
                [FollowerDelivery(follower=follower, update_id=pk) for pk in ids]
            )
            updates = updates_for_email(ids[:shown], follower, scores)
            more = len(ids[shown:])
            context = {"updates": updates, "count": len(ids), "more": more,
                       "one_city": one_city(follower, updates, more),
                       "log_url": log_url(follower)}  # fmt: skip
            template = "update" if len(ids) == 1 else "digest"
            message = rendered(template, follower, context)
            message.extra_headers["Message-ID"] = message_id(follower, ids)
            message.connection = connection
            message.send()
    except IntegrityError:
        return False
    return True


def message_id(follower, ids):
    """The same Message-ID for the same follower and changes, so that a message sent again
    after a worker died between the send and the commit is known as a copy."""
    digest = hashlib.sha256(f"{follower.pk}:{ids}".encode()).hexdigest()[:32]
    return f"<follow.{digest}@{urlsplit(settings.SITE_URL).hostname}>"


def one_city(follower, updates, more):
    """The city all of a message's changes are of, if one, for a digest's subject to name: the
    city followed, or else the city of every change shown when none is only counted."""
    if follower.city_id:
        return follower.city
    cities = {update.city for update in updates}
    return cities.pop() if len(cities) == 1 and not more else None


def log_url(follower):
    """The public log of what `follower` follows, for the changes a message only counts."""
    query = {}
    if follower.city_id:
        query = {"state": follower.city.state, "city": follower.city.slug}
    elif follower.principle_id:
        query = {"principle": follower.principle.number}
    url = absolute(follower, lambda: reverse("commitments:updates"))
    return url + (f"?{urlencode(query)}" if query else "")


def stop_if_bounced(follower, refused):
    """A permanent refusal (5xx) of the address is a bounce: no more mail to it. A passing one
    (4xx) leaves it to the next run."""
    codes = [code for code, _reason in refused.recipients.values()]
    if codes and all(500 <= code < 600 for code in codes):
        follower.stopped_at, follower.stop_reason = timezone.now(), StopReason.BOUNCED
        follower.save(update_fields=["stopped_at", "stop_reason"])


def delete_unconfirmed(now=None):
    """Forget addresses never confirmed within a week; returns how many."""
    cutoff = (now or timezone.now()) - UNCONFIRMED_FOR
    deleted, _ = Follower.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff).delete()
    return deleted
