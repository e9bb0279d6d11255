"""The pledge framework, mayors' pledges, the append-only progress log and its evidence."""

from datetime import UTC, datetime, time, timedelta

import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cities.models import City, Mayor, http_url_condition, http_url_validator
from cities.validators import EARLIEST_DATE, PAST_DATE_VALIDATORS
from cities.validators import TEXT_VALIDATORS as TEXT
from commitments.scoring import DEFAULT_WEIGHT, MAX_WEIGHT, PRINCIPLE_NUMBERS, Grade, Status
from pledge_tracker.reversing import remembered_reverse

# The permission that lets a user approve or reject what others submit (the "Reviewers" group).
REVIEW_PERMISSION = "commitments.review"
# The permission whose holders' own updates and pledge records are approved on entry.
PUBLISH_PERMISSION = "commitments.publish_without_review"

# Candidates sign pledges too: a pledge may be dated up to this long before its mayor took office.
CAMPAIGN_PERIOD = timedelta(days=365)


def translated_history(*fields):
    """The history of a model whose `fields` have a column per language (`translation.py`).

    It keeps the original columns, which hold the English; the per-language ones, added after
    the historical model is built, are left out of it.
    """
    columns = [f"{field}_{code}" for field in fields for code, _name in settings.LANGUAGES]
    return HistoricalRecords(excluded_fields=columns)


class Principle(models.Model):
    """One of the seven numbered commitments of the pledge."""

    number = models.PositiveSmallIntegerField(unique=True)
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200, validators=TEXT)
    pledge_text = models.TextField(
        help_text="The commitment in the pledge's own words.", validators=TEXT
    )

    # Derived from the actions' weights by `services.refresh_framework_totals`, so that every
    # city is scored exactly in one pass (see `commitments.scores`).
    action_count = models.PositiveSmallIntegerField(default=0, editable=False)
    weight_total = models.PositiveIntegerField(default=1, editable=False)
    score_multiplier = models.BigIntegerField(
        default=1, editable=False, help_text="The product of the other principles' weight totals."
    )
    score_denominator = models.BigIntegerField(
        default=1,
        editable=False,
        help_text="The number of principles times the product of every weight total.",
    )

    TRANSLATED = ("title", "pledge_text")
    history = translated_history(*TRANSLATED)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=PRINCIPLE_NUMBERS.start, number__lte=PRINCIPLE_NUMBERS[-1]),
                name="principle_number_1_to_7",
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def get_absolute_url(self):
        return remembered_reverse("commitments:principle", self.slug)

    @property
    def anchor(self):
        """The id of the principle's section on a city page."""
        return f"principle-{self.number}"


# An action's code is its principle's number and its position, "4.2"; URLs match the same.
ACTION_CODE_PATTERN = r"\d\.\d"
validate_action_code = RegexValidator(
    rf"\A{ACTION_CODE_PATTERN}\Z",
    _("An action's code is its principle's number, a dot and a digit, for example 1.2."),
)


class Action(models.Model):
    """A concrete, checkable step of a principle; cities are rated per action."""

    principle = models.ForeignKey(Principle, on_delete=models.PROTECT, related_name="actions")
    code = models.CharField(
        max_length=5,
        unique=True,
        help_text="For example 1.2.",
        validators=[*TEXT, validate_action_code],
    )
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200, validators=TEXT)
    achieved_when = models.TextField(validators=TEXT)
    weight = models.PositiveSmallIntegerField(
        default=DEFAULT_WEIGHT,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_WEIGHT)],
        help_text=f"From 1 to {MAX_WEIGHT}; a heavier action counts more in its principle.",
    )

    TRANSLATED = ("title", "achieved_when")
    history = translated_history(*TRANSLATED)

    class Meta:
        ordering = ["principle__number", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["principle", "position"], name="action_position_unique_per_principle"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=MAX_WEIGHT), name="action_weight_in_range"
            ),
            models.CheckConstraint(
                condition=Q(code__regex=rf"^{ACTION_CODE_PATTERN}$"), name="action_code_format"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def anchor(self):
        """The id of the action's row on a city page: `action-1-2` for 1.2."""
        return f"action-{self.code.replace('.', '-')}"


class ReviewState(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


def start_of_day_after(day):
    """The first moment after `day` ends, in the site's time zone."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


class ReviewedQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(review_state=ReviewState.APPROVED)

    def pending(self):
        return self.filter(review_state=ReviewState.PENDING)

    def approved_by(self, day):
        """What had been approved by the end of `day` (in the site's time zone)."""
        return self.approved().filter(reviewed_at__lt=start_of_day_after(day))


class Reviewed(models.Model):
    """What advocates submit and staff review: who submitted it, and the review's outcome."""

    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    review_state = models.CharField(
        max_length=10, choices=ReviewState.choices, default=ReviewState.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, validators=TEXT)

    objects = ReviewedQuerySet.as_manager()

    # The review is the only change a submission ever takes, once, while it is pending.
    REVIEW_FIELDS = ["review_state", "reviewed_by", "reviewed_at", "review_note"]

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(review_state__in=ReviewState.values),
                name="%(class)s_review_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(review_state=ReviewState.PENDING)
                | Q(reviewed_by__isnull=False, reviewed_at__isnull=False),
                name="%(class)s_reviewed_has_reviewer",
            ),
            models.CheckConstraint(
                condition=~Q(review_state=ReviewState.REJECTED) | ~Q(review_note=""),
                name="%(class)s_rejection_has_note",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True) | Q(reviewed_at__gte=F("submitted_at")),
                name="%(class)s_reviewed_after_submitted",
            ),
        ]


def dated_constraints(field):
    """A submission's date lies between 1900 and the day it was submitted (database checks)."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{field}__gte": EARLIEST_DATE}),
            name=f"%(class)s_{field}_not_before_1900",
        ),
        # A date compares with a timestamp as its midnight, on PostgreSQL and SQLite alike.
        models.CheckConstraint(
            condition=Q(**{f"{field}__lte": F("submitted_at")}),
            name=f"%(class)s_{field}_not_after_submission",
        ),
    ]


def append_only_triggers():
    """PostgreSQL triggers that keep a submission as it was logged, whatever the client.

    No row is deleted, and an update may only record the review of a pending item: nothing but
    the review fields may change, and only from pending to approved or rejected.
    """
    return [
        pgtrigger.Protect(name="append_only_no_delete", operation=pgtrigger.Delete),
        pgtrigger.Protect(
            name="append_only_no_rewrite",
            operation=pgtrigger.Update,
            condition=pgtrigger.AnyChange(exclude=Reviewed.REVIEW_FIELDS),
        ),
        pgtrigger.Protect(
            name="append_only_review_once",
            operation=pgtrigger.Update,
            condition=~pgtrigger.Q(old__review_state=ReviewState.PENDING)
            | pgtrigger.Q(new__review_state=ReviewState.PENDING),
        ),
    ]


class PledgeStatus(models.TextChoices):
    # A mayor with no approved pledge record has not been asked: a status, never a stored record.
    NOT_ASKED = "not_asked", _("Not asked")
    URGED = "urged", _("Urged")
    SIGNED = "signed", _("Signed")
    DECLINED = "declined", _("Declined")


# What a pledge record can say: every status but NOT_ASKED.
RECORDED_PLEDGE_STATUSES = [
    (value, label) for value, label in PledgeStatus.choices if value != PledgeStatus.NOT_ASKED
]


class Pledge(Reviewed):
    """A step in a mayor's pledge record: urged, signed or declined, with its date and source.

    A mayor's pledge status is their latest approved record; a new mayor starts with none.
    """

    mayor = models.ForeignKey(Mayor, on_delete=models.PROTECT, related_name="pledges")
    status = models.CharField(max_length=10, choices=RECORDED_PLEDGE_STATUSES)
    date = models.DateField(
        help_text="When the mayor was urged, signed or declined.", validators=PAST_DATE_VALIDATORS
    )
    source_url = models.URLField(
        "source", max_length=500, blank=True, validators=[http_url_validator, *TEXT]
    )
    note = models.TextField(blank=True, validators=TEXT)

    class Meta(Reviewed.Meta):
        ordering = ["-date", "-id"]
        constraints = [
            *Reviewed.Meta.constraints,
            models.CheckConstraint(
                condition=Q(status__in=[value for value, _label in RECORDED_PLEDGE_STATUSES]),
                name="pledge_status_valid",
            ),
            models.CheckConstraint(
                condition=http_url_condition("source_url"), name="pledge_source_is_http"
            ),
            models.CheckConstraint(
                condition=~Q(status=PledgeStatus.SIGNED) | ~Q(source_url=""),
                name="signed_pledge_has_source",
            ),
            *dated_constraints("date"),
        ]
        indexes = [
            # A mayor's pledge status, their latest approved record (`scores.pledge_record`),
            # read per listed city and per sitting mayor on the home page: first in the index.
            models.Index(
                fields=["mayor", "-date", "-id"],
                condition=Q(review_state=ReviewState.APPROVED),
                name="approved_pledges_latest_first",
            ),
        ]
        triggers = append_only_triggers()

    def __str__(self):
        return f"{self.mayor.name}: {self.get_status_display()} on {self.date}"

    def clean(self):
        """A pledge is dated within its mayor's term, or their campaign just before it."""
        super().clean()
        if self.date is None or self.mayor_id is None:
            return
        earliest = self.mayor.term_start - CAMPAIGN_PERIOD
        latest = self.mayor.term_end or timezone.localdate()
        if not earliest <= self.date <= latest:
            dates = {"mayor": self.mayor.name, "start": date_format(earliest, "j F Y")}
            if self.mayor.is_sitting:
                message = _(
                    "%(mayor)s was a candidate or mayor from %(start)s to today; a pledge's date"
                    " must lie within that time."
                )
            else:
                dates["end"] = date_format(latest, "j F Y")
                message = _(
                    "%(mayor)s was a candidate or mayor from %(start)s to %(end)s; a pledge's"
                    " date must lie within that time."
                )
            raise ValidationError({"date": message % dates})


class EvidenceKind(models.TextChoices):
    ORDINANCE = "ordinance", _("Ordinance")
    EXECUTIVE_ORDER = "executive_order", _("Executive order")
    POLICY = "policy", _("Policy")
    BUDGET = "budget", _("Budget")
    DATA_RELEASE = "data_release", _("Data release")
    REPORT = "report", _("Report")
    NEWS = "news", _("News")
    MEETING_RECORD = "meeting_record", _("Meeting record")
    STATEMENT = "statement", _("Statement")


class Evidence(Reviewed):
    """A dated, published source that backs a progress update."""

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="evidence")
    title = models.CharField(max_length=300, validators=TEXT)
    url = models.URLField("URL", max_length=500, validators=[http_url_validator, *TEXT])
    publisher = models.CharField(max_length=200, validators=TEXT)
    published_on = models.DateField("publication date", validators=PAST_DATE_VALIDATORS)
    kind = models.CharField(max_length=20, choices=EvidenceKind.choices)
    excerpt = models.TextField(blank=True, validators=TEXT)

    class Meta(Reviewed.Meta):
        verbose_name_plural = "evidence"
        ordering = ["-published_on", "-id"]
        indexes = [
            # The public evidence list, newest first, and each city's.
            models.Index(
                F("published_on").desc(),
                F("id").desc(),
                condition=Q(review_state=ReviewState.APPROVED),
                name="approved_evidence_latest_first",
            ),
            models.Index(
                "city",
                F("published_on").desc(),
                F("id").desc(),
                condition=Q(review_state=ReviewState.APPROVED),
                name="approved_evidence_by_city",
            ),
        ]
        constraints = [
            *Reviewed.Meta.constraints,
            models.CheckConstraint(
                condition=http_url_condition("url"), name="evidence_url_is_http"
            ),
            models.CheckConstraint(condition=~Q(url=""), name="evidence_url_required"),
            models.CheckConstraint(
                condition=Q(kind__in=EvidenceKind.values), name="evidence_kind_valid"
            ),
            *dated_constraints("published_on"),
        ]
        triggers = append_only_triggers()

    def __str__(self):
        return self.title


# Which approved update is a city's current status: the one that happened last and, for steps
# on the same day, the one approved last (a same-day correction wins), then the one logged last.
# The methodology page states this rule; city timelines, and the public log on request, list
# updates in this order.
UPDATES_LATEST_FIRST = ["-happened_on", "-reviewed_at", "-id"]
NEWEST_UPDATES = [F(name.lstrip("-")).desc() for name in UPDATES_LATEST_FIRST]
# The public log's own order: the latest published (approved) first.
UPDATES_PUBLISHED_FIRST = ["-reviewed_at", "-id"]
NEWEST_PUBLISHED = [F(name.lstrip("-")).desc() for name in UPDATES_PUBLISHED_FIRST]


class ProgressUpdate(Reviewed):
    """One entry in the append-only log of what a city did on an action.

    Never edited or deleted: a correction is a new update. A city's current status for an
    action is its latest approved update, recorded in CurrentStatus.
    """

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="progress_updates")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="progress_updates")
    status = models.CharField(max_length=20, choices=Status.choices)
    summary = models.TextField("what happened", validators=TEXT)
    happened_on = models.DateField("when it happened", validators=PAST_DATE_VALIDATORS)
    evidence = models.ManyToManyField(Evidence, related_name="updates", blank=True)

    LATEST_FIRST = UPDATES_LATEST_FIRST

    class Meta(Reviewed.Meta):
        ordering = ["-happened_on", "-id"]
        indexes = [
            models.Index(fields=["city", "action", "review_state"]),
            # The public log and each city's timeline, newest first, read from an index.
            models.Index(
                *NEWEST_UPDATES,
                condition=Q(review_state=ReviewState.APPROVED),
                name="approved_updates_latest_first",
            ),
            # A city's log, latest first: its page's timeline, its feed.
            models.Index(
                "city",
                *NEWEST_UPDATES,
                condition=Q(review_state=ReviewState.APPROVED),
                name="approved_updates_by_city",
            ),
            # The public log in the order it was published, and by the date range on it.
            models.Index(
                *NEWEST_PUBLISHED,
                condition=Q(review_state=ReviewState.APPROVED),
                name="approved_updates_published",
            ),
            # The log's count of its pages, filtered by status or by action (or principle),
            # read from an index alone.
            models.Index(
                fields=["status"],
                condition=Q(review_state=ReviewState.APPROVED),
                name="approved_updates_by_status",
            ),
            models.Index(
                fields=["action"],
                condition=Q(review_state=ReviewState.APPROVED),
                name="approved_updates_by_action",
            ),
            # On PostgreSQL the log's text search also has a trigram index on the summary,
            # created by migration 0019 (SQLite has no such index, so it is not declared here).
        ]
        constraints = [
            *Reviewed.Meta.constraints,
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="progress_update_status_valid"
            ),
            models.CheckConstraint(condition=~Q(summary=""), name="progress_update_has_summary"),
            *dated_constraints("happened_on"),
        ]
        triggers = [
            *append_only_triggers(),
            # No rating without evidence, whatever the client: the services approve the
            # evidence first. (A trigger's WHEN cannot hold a subquery, hence the function.)
            pgtrigger.Trigger(
                name="approved_with_evidence",
                operation=pgtrigger.Update,
                when=pgtrigger.Before,
                condition=pgtrigger.Q(new__review_state=ReviewState.APPROVED),
                func="""
                    IF NOT EXISTS (
                        SELECT 1 FROM commitments_progressupdate_evidence link
                        JOIN commitments_evidence evidence ON evidence.id = link.evidence_id
                        WHERE link.progressupdate_id = NEW.id
                        AND evidence.review_state = 'approved'
                    ) THEN
                        RAISE EXCEPTION 'protect: approved only with approved evidence';
                    END IF;
                    RETURN NEW;
                """,
            ),
        ]
        permissions = [
            ("review", "Can approve or reject submissions (updates, evidence, pledges)"),
            ("publish_without_review", "Can publish updates and pledge records without review"),
        ]

    def __str__(self):
        return f"{self.city} · {self.action.code} · {self.get_status_display()}"


class CurrentStatus(models.Model):
    """The approved update that currently rates a city on an action: one per city and action.

    Its status and date are copied from the update, so that scoring every city reads this small
    table alone, never the log (`services.refresh_current_status` keeps them equal).
    """

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="current_statuses")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="current_statuses")
    update = models.OneToOneField(
        ProgressUpdate, on_delete=models.PROTECT, related_name="current_for"
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    happened_on = models.DateField()

    class Meta:
        verbose_name_plural = "current statuses"
        constraints = [
            models.UniqueConstraint(
                fields=["city", "action"], name="one_current_status_per_city_action"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="current_status_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.city} · {self.action.code}"


def rated_on(day, period=""):
    """The condition that a rating period (`period`: the path to it) covered the end of `day`:
    its update was then its city's current status in the public record."""
    return rated_at(start_of_day_after(day), period)


def rated_at(moment, period=""):
    """The condition that a rating period covered `moment`: approved before it and not
    superseded until it or later."""
    still_open = Q(**{f"{period}public_until__isnull": True})
    return (still_open | Q(**{f"{period}public_until__gte": moment})) & Q(
        **{f"{period}public_from__lt": moment}
    )


class Covers(models.Func):
    """That a span from `start` (excluded) to `end` (included; null while it lasts) covers
    `moment`: `rated_at`'s condition, written on PostgreSQL as a range containment, which a GiST
    index of the spans answers (`ScorePeriod`)."""

    output_field = models.BooleanField()
    arity = 3

    def _compiled(self, compiler):
        return [compiler.compile(expression) for expression in self.get_source_expressions()]

    def as_sql(self, compiler, connection, **extra_context):
        (start, start_params), (end, end_params), (moment, moment_params) = self._compiled(compiler)
        sql = f"({start} < {moment} AND ({end} IS NULL OR {end} >= {moment}))"
        params = (*start_params, *moment_params, *end_params, *end_params, *moment_params)
        return sql, params

    def as_postgresql(self, compiler, connection, **extra_context):
        (start, start_params), (end, end_params), (moment, moment_params) = self._compiled(compiler)
        sql = f"tstzrange({start}, {end}, '(]') @> {moment}"
        return sql, (*start_params, *end_params, *moment_params)


def rated_just_after(moment, period=""):
    """The condition that a rating period rated its action from `moment` on: approved by then
    and not superseded by then (`rated_at` an instant later)."""
    still_open = Q(**{f"{period}public_until__isnull": True})
    return (still_open | Q(**{f"{period}public_until__gt": moment})) & Q(
        **{f"{period}public_from__lte": moment}
    )


class RatingPeriodQuerySet(models.QuerySet):
    def on(self, day):
        """The periods that rated their city's action at the end of `day`."""
        return self.filter(rated_on(day))


class RatingPeriod(models.Model):
    """When an approved update rated its city on its action in the public record: from its
    approval until the approval of the update that superseded it (open while it is current).

    The public record as of any past day is the periods that covered it, read from this table
    by a range condition. Kept by the write services with CurrentStatus, whose row is the open
    period's (`services.refresh_current_status`); an update that never became current (approved
    after a later one) has none. Status and date are copied from the update, as CurrentStatus's.
    """

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="rating_periods")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="rating_periods")
    update = models.OneToOneField(
        ProgressUpdate, on_delete=models.PROTECT, related_name="rating_period"
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    happened_on = models.DateField()
    public_from = models.DateTimeField()
    public_until = models.DateTimeField(null=True)

    objects = RatingPeriodQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["city", "public_from"], name="rating_period_city_from"),
            models.Index(fields=["public_until", "public_from"], name="rating_period_span"),
            # The period an update's approval ended, for the log's "before": exact however
            # many periods ended at one moment (a batch approved at once), and in order.
            models.Index(
                fields=["city", "action", "public_until", "public_from"],
                name="rating_period_ended_at",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "action"],
                condition=Q(public_until__isnull=True),
                name="one_open_rating_period_per_city_action",
            ),
            models.CheckConstraint(
                condition=Q(public_until__isnull=True) | Q(public_until__gte=F("public_from")),
                name="rating_period_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="rating_period_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.city} · {self.action.code} from {self.public_from:%Y-%m-%d}"


def ratings(day=None):
    """Every city's rating on each action: its current statuses, or as of the end of `day` the
    rating periods that covered it (rows with the same fields: city, action, update, status,
    happened_on)."""
    return CurrentStatus.objects.all() if day is None else RatingPeriod.objects.on(day)


class RecordStamp(models.Model):
    """When anything the public sees last changed: one row, moved by every write.

    Pages derive their ETag, Last-Modified and cache key from it (`commitments.caching`).
    """

    changed_at = models.DateTimeField()

    def __str__(self):
        return f"Record last changed at {self.changed_at:%Y-%m-%d %H:%M:%S}"


class ScoreFigures(models.Model):
    """Every figure `City.objects.with_scores()` gives a city, as the scoring query
    (`scores.compute_scores`) computed it: kept for today (`CityScore`) and for every moment
    the city's ratings changed (`ScorePeriod`)."""

    score_numerator = models.BigIntegerField()
    score_denominator = models.BigIntegerField()
    principle_scores = models.JSONField()
    score = models.PositiveSmallIntegerField()
    score_exact = models.DecimalField(max_digits=5, decimal_places=2)
    grade = models.CharField(max_length=10, choices=Grade.choices)
    graded = models.BooleanField()
    rated_actions = models.PositiveSmallIntegerField()
    total_actions = models.PositiveSmallIntegerField()
    achieved_actions = models.PositiveSmallIntegerField()
    reversed_actions = models.PositiveSmallIntegerField()
    last_updated = models.DateField(null=True)

    class Meta:
        abstract = True


class CityScore(ScoreFigures):
    """Every figure `City.objects.with_scores()` gives, as last computed for one city, and the
    length of its public log.

    Computed by the one scoring query (`scores.stored_figures`) whenever the city's record or
    the framework changes (`services.refresh_scores`), so that pages read plain columns instead
    of aggregating every city's ratings, or counting the log, on every request.
    """

    city = models.OneToOneField(
        City, on_delete=models.CASCADE, primary_key=True, related_name="stored_score"
    )
    # How long the city's public log is: the updates log counts itself from these.
    log_length = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(F("graded").desc(), F("score").desc(), name="city_score_rank")]

    def __str__(self):
        return f"{self.city}: {self.score}"


# The first ScorePeriod of every city starts here: before anything was rated anywhere.
BEFORE_THE_RECORD = datetime(1900, 1, 1, tzinfo=UTC)


class ScorePeriod(ScoreFigures):
    """A city's figures from just after `public_from` until its next period's start
    (`public_until`, null for the current period): what the pages as of a past day read
    (`scores.scored_at`) rather than scoring every city's rating periods again.

    A period starts wherever one of the city's rating periods does (an approval changed a
    rating), and one at BEFORE_THE_RECORD holds its figures with nothing rated. The write
    services add a period with each approval that changes a rating, copied from the city's
    `CityScore` (`services.refresh_current_status`), and end the one before it; when the
    weights change every period is computed again (`services.rebuild_score_periods`), and until
    then `ScorePeriodsBuilt` has no row and the pages score the rating periods themselves.
    """

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="score_periods")
    public_from = models.DateTimeField()
    public_until = models.DateTimeField(null=True)

    class Meta:
        # What changed through today reads the start of each city's current period here.
        indexes = [
            models.Index(
                fields=["city", "public_from"],
                condition=Q(public_until=None),
                name="current_score_period_start",
            )
        ]
        # On PostgreSQL no two periods of a city overlap (migration 0027), and the GiST index of
        # that exclusion constraint finds every city's period at a moment in about 4 ms at 1,500
        # cities (migration 0030); a page's few cities are looked up by their last start before
        # it, in the index of (city, start) of `one_score_per_moment` (`scores._stored_at`),
        # which on PostgreSQL also carries what a city's score history reads (migration 0031).
        constraints = [
            models.UniqueConstraint(fields=["city", "public_from"], name="one_score_per_moment"),
            models.CheckConstraint(
                condition=Q(public_until__isnull=True) | Q(public_until__gt=F("public_from")),
                name="score_period_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.city} from {self.public_from:%Y-%m-%d %H:%M:%S}: {self.score}"


class ScorePeriodsBuilt(models.Model):
    """That every city's `ScorePeriod`s were computed with the framework's weights as they
    stand (`weights`: each action's id, principle number and weight): one row, from the end of
    a rebuild until the weights change. A migration that changes how scores are computed
    deletes it, and `migrate` computes the periods again."""

    built_at = models.DateTimeField()
    weights = models.JSONField()

    def __str__(self):
        return f"Score periods computed at {self.built_at:%Y-%m-%d %H:%M:%S}"


class ReviewNotice(models.Model):
    """That a submitter was emailed the review of a submission, so a retried task sends no second
    email (`commitments.tasks.notify_reviewed`); the submission itself is never updated again."""

    item_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    item_id = models.PositiveBigIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item_type", "item_id"], name="one_review_notice_per_item"
            )
        ]

    def __str__(self):
        return f"{self.item_type.model} {self.item_id}"


# The permission of a city's officials: to submit the city's own account of its actions.
REPORT_FOR_CITY_PERMISSION = "commitments.report_for_city"
# What an answer to a city's report may change, once: nothing else of a report ever changes.
ANSWER_FIELDS = ["answer", "answered_by", "answered_at"]


class CityOfficial(models.Model):
    """A user who speaks for one city, once staff have verified it (in the admin)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="city_official"
    )
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="officials")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True, verified_at__isnull=True)
                | Q(verified_by__isnull=False, verified_at__isnull=False),
                name="city_official_verified_by_and_at",
            ),
        ]
        permissions = [("report_for_city", "Can report for their city (verified officials)")]

    def __str__(self):
        return f"{self.user} · {self.city}"


class CityReport(models.Model):
    """The city's own account of an action, beside the independent rating: it never scores.

    Append-only: a new report supersedes the last; reviewers may answer it once, publicly.
    """

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="city_reports")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="city_reports")
    status = models.CharField(max_length=20, choices=Status.choices)
    summary = models.TextField("what was done", validators=TEXT)
    happened_on = models.DateField("when it happened", validators=PAST_DATE_VALIDATORS)
    evidence_url = models.URLField(
        "evidence", max_length=500, validators=[http_url_validator, *TEXT]
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(blank=True, validators=TEXT)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    # The latest report on an action is the city's account of it.
    LATEST_FIRST = ["-submitted_at", "-id"]

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["city", "action", "submitted_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="city_report_status_valid"
            ),
            models.CheckConstraint(condition=~Q(summary=""), name="city_report_has_summary"),
            models.CheckConstraint(
                condition=http_url_condition("evidence_url"), name="city_report_evidence_is_http"
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, answer="")
                | Q(answered_at__isnull=False, answered_by__isnull=False) & ~Q(answer=""),
                name="city_report_answer_complete",
            ),
            *dated_constraints("happened_on"),
        ]
        triggers = [
            pgtrigger.Protect(name="append_only_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="append_only_no_rewrite",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange(exclude=ANSWER_FIELDS),
            ),
            pgtrigger.Protect(
                name="answered_once",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__answered_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.city} · {self.action.code} · {self.get_status_display()} (city's report)"


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately")
    DAILY = "daily", _("A daily digest")
    WEEKLY = "weekly", _("A weekly digest")


class StopReason(models.TextChoices):
    BOUNCED = "bounced", _("Bounced")
    COMPLAINED = "complained", _("Complained")


class Follower(models.Model):
    """An address told of approved updates to a city, a principle or (neither) the whole
    tracker (`commitments.following`): nothing but the address and its choices is kept."""

    email = models.EmailField(validators=TEXT)
    city = models.ForeignKey(City, on_delete=models.CASCADE, null=True, blank=True)
    principle = models.ForeignKey(Principle, on_delete=models.CASCADE, null=True, blank=True)
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Staff record a bounce or complaint here; nothing more is sent to a stopped follower.
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=20, choices=StopReason.choices, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(city__isnull=True) | Q(principle__isnull=True),
                name="follower_follows_one_subject",
            ),
            models.UniqueConstraint(
                fields=["email"],
                condition=Q(city__isnull=True, principle__isnull=True),
                name="one_tracker_follower_per_email",
            ),
            models.UniqueConstraint(
                fields=["email", "city"],
                condition=Q(city__isnull=False),
                name="one_city_follower_per_email",
            ),
            models.UniqueConstraint(
                fields=["email", "principle"],
                condition=Q(principle__isnull=False),
                name="one_principle_follower_per_email",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.city or self.principle or 'all'}"


class FollowerDelivery(models.Model):
    """That a follower was sent an update, alone or in a digest: claimed before sending, so a
    retried task never sends the same change twice."""

    follower = models.ForeignKey(Follower, on_delete=models.CASCADE, related_name="deliveries")
    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["follower", "update"], name="one_delivery_per_follower_update"
            )
        ]

    def __str__(self):
        return f"{self.follower_id} · {self.update_id}"
