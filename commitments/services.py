"""Writes: every act that changes the record, each in one transaction."""

import functools
from itertools import islice

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cities.models import City
from cities.validators import validate_printable
from commitments import periods
from commitments.bulk import Table, insert_rows
from commitments.caching import touch
from commitments.following import after_update_review
from commitments.models import (
    BEFORE_THE_RECORD,
    PUBLISH_PERMISSION,
    REVIEW_PERMISSION,
    Action,
    CityScore,
    CurrentStatus,
    Evidence,
    Pledge,
    Principle,
    ProgressUpdate,
    RatingPeriod,
    ReviewState,
    ScorePeriod,
    ScorePeriodsBuilt,
)
from commitments.scores import (
    FIGURES,
    STORED,
    framework_constants,
    score_period_rows,
    stored_figures,
)
from commitments.scoring import framework_totals
from commitments.tasks import after_review, rebuild_score_periods_later
from pledge_tracker.postgresql import refresh_statistics


@transaction.atomic
def refresh_framework_totals():
    """Recompute each principle's exact-score constants after its actions or weights change,
    and with them every city's stored scores, and past scores if the weights changed: whether
    they did (their rebuild is queued)."""
    actions = action_weights()
    weights = {}
    for _action, number, weight in actions:
        weights.setdefault(number, []).append(weight)
    totals = framework_totals(weights)
    for principle in Principle.objects.select_for_update():
        for field, value in totals[principle.number].items():
            setattr(principle, field, value)
        principle.save(update_fields=list(totals[principle.number]))
    refresh_scores()
    if not _score_periods_built_with(actions):
        # Every past score changes with the weights: the pages compute them from the ratings
        # until they are stored again, in the background (a minute at national scale).
        ScorePeriodsBuilt.objects.all().delete()
        rebuild_score_periods_later()
        return True
    return False


def refresh_scores(city_id=None):
    """Store one city's scores and log length (or every city's) as the scoring query computes
    them (`scores.stored_figures`)."""
    constants = framework_constants()
    sql, params = _refresh_statement(connection.vendor, city_id is not None, constants)
    params = [city_id if param == ANY_CITY else param for param in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


ANY_CITY = -424242  # stands for the city's id in the prepared statement; no id is negative


@functools.lru_cache(maxsize=32)
def _refresh_statement(vendor, one_city, constants):
    """INSERT … SELECT … ON CONFLICT DO UPDATE: the database computes and stores the scores.

    Building the scoring query takes Django tens of milliseconds, and an approval refreshes
    a city's scores every time, so the statement is built once per framework and reused.
    """
    # A WHERE in both cases: SQLite needs one before ON CONFLICT in INSERT … SELECT.
    cities = City.objects.filter(pk=ANY_CITY) if one_city else City.objects.filter(pk__gte=0)
    select = stored_figures(cities.order_by(), constants).values_list("pk", *STORED)
    select_sql, params = select.query.get_compiler(connection=connection).as_sql()
    return _upsert(CityScore, ["city"], STORED, select_sql), tuple(params)


def _upsert(model, keys, fields, select_sql):
    """INSERT INTO the model's table the rows `select_sql` gives (its keys, then its fields),
    each updating the row with the same keys if there is one."""
    columns = ", ".join(_columns(model, [*keys, *fields]))
    updates = ", ".join(f"{quoted} = excluded.{quoted}" for quoted in _columns(model, fields))
    table = connection.ops.quote_name(model._meta.db_table)
    conflict = ", ".join(_columns(model, keys))
    return (
        f"INSERT INTO {table} ({columns}) {select_sql}"
        f" ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )


def _columns(model, fields):
    return [connection.ops.quote_name(model._meta.get_field(name).column) for name in fields]


def action_weights():
    """What every score depends on besides the ratings: each action's id, principle and weight."""
    actions = Action.objects.order_by("pk").values_list("pk", "principle__number", "weight")
    return [list(action) for action in actions]


def _score_periods_built_with(weights):
    built = ScorePeriodsBuilt.objects.first()
    return built is not None and built.weights == weights


# Cities whose score periods one transaction computes again: their approvals wait for it.
REBUILD_BATCH = 100


def rebuild_score_periods():
    """Compute every city's `ScorePeriod`s again, as the scoring query computes them from the
    rating periods (`scores.score_period_rows`), and mark them built with the weights used.

    The pages compute past scores meanwhile. A hundred cities at a time, each batch holding its
    cities as an approval does (`_lock_city`): an approval waits for its city's batch, not the
    whole rebuild, and one committed before the batch is in it. If the weights changed
    meanwhile, nothing is marked: that change queued another rebuild.
    """
    weights = action_weights()
    ScorePeriodsBuilt.objects.all().delete()
    cities = list(City.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(cities), REBUILD_BATCH):
        batch = cities[start : start + REBUILD_BATCH]
        _rebuild_score_periods_of(batch[0], batch[-1])
    with transaction.atomic():
        list(Principle.objects.select_for_update())  # as a change of weight does
        if action_weights() == weights:
            ScorePeriodsBuilt.objects.create(built_at=timezone.now(), weights=weights)
            touch()  # the city pages' score over time is back: no page kept meanwhile is sent
    # Every period was written again. Their old versions stay in the index of spans until a
    # VACUUM: run here where it may be (outside a transaction), else autovacuum's. Until then
    # finding every city's period took 530 ms at 1,500 cities, against 4.
    refresh_statistics(ScorePeriod._meta.db_table)


# Stand for a batch's first and last city id in the prepared statements; no id is negative.
FIRST_CITY, LAST_CITY = -424241, -424243


@transaction.atomic
def _rebuild_score_periods_of(first, last):
    cities = City.objects.filter(pk__gte=first, pk__lte=last)
    list(cities.select_for_update().values_list("pk"))
    ScorePeriod.objects.filter(city__in=cities).delete()
    bounds = {FIRST_CITY: first, LAST_CITY: last}
    sql, params = _score_periods_statement(connection.vendor, framework_constants())
    with connection.cursor() as cursor:
        cursor.execute(sql, [bounds.get(param, param) for param in params])


@functools.lru_cache(maxsize=32)
def _score_periods_statement(vendor, constants):
    """INSERT … SELECT of the score periods of the cities from FIRST_CITY to LAST_CITY, each
    ending where the next of its city begins, built once per framework, as `_refresh_statement`
    is: building the scoring query twice takes Django longer than computing a few cities'
    periods. (Written with their ends at once: ending them after took a quarter of a load.)"""
    cities = City.objects.filter(pk__gte=FIRST_CITY, pk__lte=LAST_CITY).values("pk")
    rows = [
        query.query.get_compiler(connection=connection).as_sql()
        for query in score_period_rows(cities, constants)
    ]
    quote = connection.ops.quote_name
    city, start, figures = quote("city"), quote("start"), ", ".join(map(quote, FIGURES))
    columns = ", ".join(_columns(ScorePeriod, ["city", "public_from", "public_until", *FIGURES]))
    table = connection.ops.quote_name(ScorePeriod._meta.db_table)
    sql = (
        f"WITH periods ({city}, {start}, {figures})"
        f" AS ({' UNION ALL '.join(sql for sql, _params in rows)})"
        f" INSERT INTO {table} ({columns}) SELECT {city}, {start},"
        f" LEAD({start}) OVER (PARTITION BY {city} ORDER BY {start}), {figures} FROM periods"
    )
    return sql, tuple(param for _sql, params in rows for param in params)


def ensure_score_periods():
    """Compute the score periods again unless they were built with today's weights."""
    if not _score_periods_built_with(action_weights()):
        rebuild_score_periods()


def record_score_period(city_id, moment):
    """From `moment` on, the city's figures are its stored scores (`CityScore`), just refreshed:
    copied by the database in one statement; the period before it ends there."""
    with connection.cursor() as cursor:
        cursor.execute(
            _record_period_statement(connection.vendor),
            [connection.ops.adapt_datetimefield_value(moment), city_id],
        )
    _end_score_periods(city_id)


def _end_score_periods(city_id):
    """Each score period of the city ends where its next begins, the last not at all; only the
    periods whose end that changes are written. (A period never ends at its own start, so that
    start stands for "no end" in the comparison.)"""
    table = connection.ops.quote_name(ScorePeriod._meta.db_table)
    start, end, city = _columns(ScorePeriod, ["public_from", "public_until", "city"])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS this_period SET {end} = successor.next_start FROM ("
            f" SELECT id, LEAD({start}) OVER (PARTITION BY {city} ORDER BY {start}) AS next_start"
            f" FROM {table} WHERE {city} = %s) AS successor"
            f" WHERE this_period.id = successor.id AND COALESCE(this_period.{end},"
            f" this_period.{start}) <> COALESCE(successor.next_start, this_period.{start})",
            [city_id],
        )


@functools.lru_cache(maxsize=4)
def _record_period_statement(vendor):
    figures = ", ".join(_columns(CityScore, FIGURES))
    select_sql = (
        f"SELECT {connection.ops.quote_name('city_id')}, %s, {figures}"
        f" FROM {connection.ops.quote_name(CityScore._meta.db_table)}"
        f" WHERE {connection.ops.quote_name('city_id')} = %s"
    )
    return _upsert(ScorePeriod, ["city", "public_from"], FIGURES, select_sql)


def refresh_scores_after_migrating(using, **_signal):
    """A migration may change how scores are computed or stored: store them afresh."""
    tables = connections[using].introspection.table_names()
    if CityScore._meta.db_table in tables:
        refresh_scores()
    if ScorePeriodsBuilt._meta.db_table in tables:
        ensure_score_periods()


def store_new_city_scores(sender, instance, created, raw=False, **_signal):
    """A new city has scores from the start (all zero, until something is rated), today and
    before the record."""
    if created and not raw:
        refresh_scores(instance.pk)
        record_score_period(instance.pk, BEFORE_THE_RECORD)


# What still stands or may yet: a rejected submission counts for nothing.
LIVE = [ReviewState.PENDING, ReviewState.APPROVED]


class AlreadyReviewed(ValidationError):
    pass


def check_may_review(user):
    if not user.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied(_("Reviewing submissions needs the review permission."))


def check_may_act_on(user, city):
    if not City.objects.assigned_to(user).filter(pk=city.pk).exists():
        raise PermissionDenied(_("You are not assigned to %(city)s.") % {"city": city})


def review_act(function):
    """A review service: one transaction, refused to anyone without the review permission;
    the submitter hears of the outcome, and the followers of an approved update of the change,
    once it is committed (`tasks.after_review`; the followers are told by `_approve_update`)."""

    @functools.wraps(function)
    @transaction.atomic
    def review(item, reviewer, note=""):
        check_may_review(reviewer)
        reviewed = function(item, reviewer, note)
        after_review(reviewed)
        return reviewed

    return review


def _lock_city(city_id):
    """Serialise every change to one city's record, so concurrent acts cannot interleave."""
    City.objects.select_for_update().filter(pk=city_id).first()


def _lock_pending(model, pk):
    """The submission, locked; anything already reviewed is refused."""
    item = model.objects.select_for_update().get(pk=pk)
    if item.review_state != ReviewState.PENDING:
        if item.review_state == ReviewState.APPROVED:
            message = _("“%(item)s” was already approved.")
        else:
            message = _("“%(item)s” was already rejected.")
        raise AlreadyReviewed(message % {"item": item})
    return item


def _record_review(item, reviewer, state, note):
    if state == ReviewState.REJECTED and not note.strip():
        raise ValidationError(_("A rejection needs a note saying why, for the advocate to read."))
    validate_printable(note)
    item.review_state = state
    item.reviewed_by = reviewer
    item.reviewed_at = timezone.now()
    item.review_note = note.strip()
    item.save(update_fields=item.REVIEW_FIELDS)
    return item


def _review(model, pk, reviewer, state, note):
    return _record_review(_lock_pending(model, pk), reviewer, state, note)


def refresh_current_status(city_id, action_id):
    """Make the latest approved update (`ProgressUpdate.LATEST_FIRST`) the city's status, and
    open its rating period, and the city's score period, if it has just become current."""
    latest = (
        ProgressUpdate.objects.approved()
        .filter(city_id=city_id, action_id=action_id)
        .order_by(*ProgressUpdate.LATEST_FIRST)
        .first()
    )
    opened = False
    if latest is None:
        CurrentStatus.objects.filter(city_id=city_id, action_id=action_id).delete()
    else:
        opened = _open_rating_period(latest)
        CurrentStatus.objects.update_or_create(
            city_id=city_id, action_id=action_id, defaults=_current(latest)
        )
    refresh_scores(city_id)
    if opened:
        record_score_period(city_id, latest.reviewed_at)


def _current(update):
    return {"update": update, "status": update.status, "happened_on": update.happened_on}


def _open_rating_period(update):
    """From its approval on, `update` rates its city's action: the open period ends then.
    Whether it opened a period (it had none)."""
    its_periods = RatingPeriod.objects.filter(city_id=update.city_id, action_id=update.action_id)
    if its_periods.filter(update=update).exists():
        return False
    its_periods.filter(public_until__isnull=True).update(public_until=update.reviewed_at)
    RatingPeriod.objects.create(
        city_id=update.city_id,
        action_id=update.action_id,
        public_from=update.reviewed_at,
        **_current(update),
    )
    return True


# What a rebuild writes in bulk of the open periods' current statuses, and of every period.
CURRENT_STATUS_COLUMNS = ("city_id", "action_id", "update_id", "status", "happened_on")
CURRENT_STATUSES = Table(CurrentStatus, CURRENT_STATUS_COLUMNS)
RATING_PERIODS = Table(RatingPeriod, (*CURRENT_STATUS_COLUMNS, "public_from", "public_until"))


@transaction.atomic
def rebuild_current_statuses(batch=5000):
    """Derive every rating period and current status from the log again (after a bulk load)."""
    approved = ProgressUpdate.objects.approved().order_by(*periods.APPROVAL_ORDER)
    rows = approved.values(*periods.FIELDS).iterator(chunk_size=batch)
    CurrentStatus.objects.all().delete()
    RatingPeriod.objects.all().delete()
    derived = periods.rating_periods(rows)
    while chunk := [periods.period_fields(row, until) for row, until in islice(derived, batch)]:
        insert_rows(RATING_PERIODS, map(RATING_PERIODS.row, chunk))
        current = (period for period in chunk if period["public_until"] is None)
        insert_rows(CURRENT_STATUSES, map(CURRENT_STATUSES.row, current))
    refresh_scores()
    rebuild_score_periods()
    touch()  # bulk writes send no model signals


def _approve_update(update, reviewer, note=""):
    """Approve an update with its pending evidence: no rating stands without approved evidence.

    The evidence is approved first: on PostgreSQL a trigger refuses an approved update with none.
    """
    _lock_city(update.city_id)
    update = _lock_pending(ProgressUpdate, update.pk)
    evidence = update.evidence.all()
    if not evidence.filter(review_state__in=LIVE).exists():
        raise ValidationError(
            _(
                "“%(update)s” has no evidence left to stand on: all of it was rejected. Reject the"
                " update, or ask for a new proposal with a source."
            )
            % {"update": update}
        )
    evidence.pending().update(
        review_state=ReviewState.APPROVED, reviewed_by=reviewer, reviewed_at=timezone.now()
    )
    update = _record_review(update, reviewer, ReviewState.APPROVED, note)
    refresh_current_status(update.city_id, update.action_id)
    after_update_review(update)  # however it was approved: reviewed, or published on entry
    return update


approve_update = review_act(_approve_update)


@review_act
def reject_update(update, reviewer, note):
    """Reject an update, and with it the pending evidence no other live update relies on."""
    update = _review(ProgressUpdate, update.pk, reviewer, ReviewState.REJECTED, note)
    update.evidence.pending().exclude(updates__review_state__in=LIVE).update(
        review_state=ReviewState.REJECTED,
        reviewed_by=reviewer,
        reviewed_at=update.reviewed_at,
        review_note=update.review_note,
    )
    return update


@review_act
def approve_evidence(evidence, reviewer, note=""):
    return _review(Evidence, evidence.pk, reviewer, ReviewState.APPROVED, note)


@review_act
def reject_evidence(evidence, reviewer, note):
    return _review(Evidence, evidence.pk, reviewer, ReviewState.REJECTED, note)


@review_act
def approve_pledge(pledge, reviewer, note=""):
    return _review(Pledge, pledge.pk, reviewer, ReviewState.APPROVED, note)


@review_act
def reject_pledge(pledge, reviewer, note):
    return _review(Pledge, pledge.pk, reviewer, ReviewState.REJECTED, note)


APPROVERS = {ProgressUpdate: approve_update, Evidence: approve_evidence, Pledge: approve_pledge}
REJECTERS = {ProgressUpdate: reject_update, Evidence: reject_evidence, Pledge: reject_pledge}


def _validated(instance):
    """The instance, checked by its model's validators and constraints before it is saved."""
    instance.full_clean()
    return instance


@transaction.atomic
def publish_evidence(evidence, user):
    """Approve, on entry, evidence added by a user who may publish without review."""
    if not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied(_("Publishing without review needs its permission."))
    return _record_review(_lock_pending(Evidence, evidence.pk), user, ReviewState.APPROVED, "")


@transaction.atomic
def propose_update(
    user, city, action, status, summary, happened_on, evidence=(), new_evidence=None, note=""
):
    """Log a proposed status for a city's action with its evidence.

    Proposals wait for review, unless the user may publish without review. Posting the same
    proposal twice returns the first one instead of logging a duplicate; another proposal for
    an action on which the user's last one still waits is refused (`PendingProposal`).
    """
    check_may_act_on(user, city)
    _lock_city(city.pk)
    proposal = {"city": city, "action": action, "status": status, "summary": summary,
                "happened_on": happened_on, "submitted_by": user}  # fmt: skip
    duplicate = ProgressUpdate.objects.filter(**proposal, review_state__in=LIVE).first()
    if duplicate:
        return duplicate
    waiting = pending_proposal(user, city, action)
    if waiting:
        raise PendingProposal(waiting)
    update = _validated(ProgressUpdate(**proposal))
    evidence = list(evidence)
    if new_evidence:
        evidence.append(_validated(Evidence(city=city, submitted_by=user, **new_evidence)))
    check_proposal_evidence(city, evidence)
    for item in evidence:
        if item.pk is None:
            item.save()
    update.save()
    update.evidence.set(evidence)
    if _may_publish(user, evidence):
        update = _approve_update(update, reviewer=user, note=note)
    return update


class PendingProposal(ValidationError):
    """The user's earlier proposal for this action still waits for review."""

    def __init__(self, proposal):
        self.proposal = proposal
        submitted = date_format(timezone.localdate(proposal.submitted_at), "DATE_FORMAT")
        message = _(
            "Your proposal for %(code)s from %(day)s still waits for review: a reviewer "
            "decides on it before you propose another."
        )
        super().__init__(
            message % {"code": proposal.action.code, "day": submitted}, code="pending_proposal"
        )


def pending_proposal(user, city, action):
    """The user's proposal for the city's action that waits for review, if any."""
    pending = ProgressUpdate.objects.pending().select_related("action")
    return pending.filter(submitted_by=user, city=city, action=action).first()


def check_proposal_evidence(city, evidence):
    """A proposal stands on evidence: some, all about its city, and not all of it rejected."""
    if not evidence:
        raise ValidationError(_("Attach at least one piece of evidence."))
    if any(item.city_id != city.pk for item in evidence):
        raise ValidationError(_("Attach only evidence about %(city)s.") % {"city": city})
    if all(item.review_state == ReviewState.REJECTED for item in evidence):
        raise ValidationError(_("All of this evidence was rejected; attach a source that stands."))


def _may_publish(user, evidence):
    """Whether the user's update is approved on entry: with the permission to publish without
    review, and unless that would approve someone else's pending evidence (a reviewer's job)."""
    others_pending = any(
        item.review_state == ReviewState.PENDING and item.submitted_by_id != user.pk
        for item in evidence
    )
    return user.has_perm(PUBLISH_PERMISSION) and (
        not others_pending or user.has_perm(REVIEW_PERMISSION)
    )


@transaction.atomic
def record_pledge(user, mayor, status, date, source_url="", note=""):
    """Record a step in a mayor's pledge outreach, once however often it is posted.

    The same step (mayor, status, date) already pending or approved is returned, not repeated;
    the city lock makes that hold for simultaneous posts. Records wait for review unless the
    user may publish without review.
    """
    check_may_act_on(user, mayor.city)
    _lock_city(mayor.city_id)
    same_act = Pledge.objects.filter(mayor=mayor, status=status, date=date, review_state__in=LIVE)
    existing = same_act.first()
    if existing:
        return existing
    pledge = _validated(
        Pledge(
            mayor=mayor,
            status=status,
            date=date,
            source_url=source_url,
            note=note,
            submitted_by=user,
        )
    )
    pledge.save()
    if user.has_perm(PUBLISH_PERMISSION):
        pledge = _record_review(pledge, user, ReviewState.APPROVED, "")
    return pledge
