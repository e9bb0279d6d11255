"""Places, their mayors and the record of people killed by police there."""

import hashlib
import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords

from cities.states import STATE_CHOICES, US_STATES
from cities.validators import (
    EARLIEST_DATE,
    PAST_DATE_VALIDATORS,
    validate_not_too_early,
)
from cities.validators import (
    TEXT_VALIDATORS as TEXT,
)
from pledge_tracker.reversing import remembered_reverse

http_url_validator = URLValidator(schemes=["http", "https"])

# Held by the people who keep the whole record (the "Reviewers" group): log progress anywhere.
ACT_ON_EVERY_CITY_PERMISSION = "cities.act_on_every_city"


def http_url_condition(field):
    """Database check that a URL field is empty or starts with http:// or https://."""
    return (
        Q(**{field: ""})
        | Q(**{f"{field}__istartswith": "http://"})
        | Q(**{f"{field}__istartswith": "https://"})
    )


class CityQuerySet(models.QuerySet):
    def assigned_to(self, user):
        """The cities a user may act on: their assigned cities, or all with the permission."""
        if not user.is_authenticated:
            return self.none()
        if user.has_perm(ACT_ON_EVERY_CITY_PERMISSION):
            return self.all()
        return self.filter(advocates=user)

    def with_scores(self):
        """Every figure any page, download or API shows about a city, annotated in SQL.

        Lazy: building it runs no query. How cities are scored belongs to the commitments app,
        which depends on this one and never the other way round; it installs the scorer below
        when it loads (`commitments.apps`, `commitments.scores.stored_scores`).
        """
        return self.annotate_scores()

    def annotate_scores(self):
        raise ImproperlyConfigured("The commitments app scores cities; add it to INSTALLED_APPS.")


class City(models.Model):
    name = models.CharField(max_length=120, validators=TEXT)
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    slug = models.SlugField(max_length=120)
    population = models.PositiveIntegerField(null=True, blank=True)
    latitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    police_department = models.CharField(max_length=200, blank=True, validators=TEXT)
    website = models.URLField(blank=True, validators=[http_url_validator, *TEXT])
    advocates = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="assigned_cities",
        help_text="Advocates who may log progress for this city.",
    )

    objects = CityQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "cities"
        ordering = ["name", "state"]
        # The scorecard's orders that read no score (commitments.filters.SORTS): a page of them
        # reads its 25 cities from an index instead of sorting every city. The two by population
        # (nulls last) are made on PostgreSQL only, by migration 0008: SQLite cannot index that.
        indexes = [models.Index(fields=["name", "state"], name="city_by_name")]
        permissions = [("act_on_every_city", "Can log progress and pledges for every city")]
        constraints = [
            models.UniqueConstraint(fields=["state", "slug"], name="city_slug_unique_per_state"),
            models.CheckConstraint(
                condition=Q(state__in=list(US_STATES)), name="city_state_is_usps_code"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="city_latitude_in_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="city_longitude_in_range",
            ),
            models.CheckConstraint(
                condition=http_url_condition("website"), name="city_website_is_http"
            ),
        ]

    def __str__(self):
        return f"{self.name}, {self.state}"

    def get_absolute_url(self):
        return self.page_url(self.state, self.slug)

    @staticmethod
    def page_url(state, slug, reverse=remembered_reverse):
        """A city page's address from its state and slug; `reverse`, a `reverser()` for many."""
        return reverse("commitments:city", state.lower(), slug)

    @property
    def state_name(self):
        return US_STATES.get(self.state, self.state)


class MayorQuerySet(models.QuerySet):
    def sitting(self):
        return self.filter(term_end__isnull=True)

    def serving_during(self, start, end):  # the query form of `terms_overlap`
        return self.filter(serving_during(start, end))


def serving_during(start, end, mayor=""):
    """The condition that a mayor's term (`mayor`: the path to it) shares a day with
    [start, end); an empty end is open-ended.

    A term ends the day its successor's begins, so a handover on one day is no overlap.
    """
    overlapping = Q(**{f"{mayor}term_end__isnull": True}) | Q(**{f"{mayor}term_end__gt": start})
    if end is not None:
        overlapping &= Q(**{f"{mayor}term_start__lt": end})
    return overlapping


def terms_overlap(first, second):
    """Whether two (start, end) terms share a day; an empty end is open, and a term may end on
    the day its successor's begins."""
    (start, end), (other_start, other_end) = first, second
    return (end is None or end > other_start) and (other_end is None or other_end > start)


class Mayor(models.Model):
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="mayors")
    name = models.CharField(max_length=200, validators=TEXT)
    term_start = models.DateField(validators=[validate_not_too_early])
    term_end = models.DateField(
        null=True,
        blank=True,
        validators=[validate_not_too_early],
        help_text="Leave empty while the mayor is in office.",
    )

    objects = MayorQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["city", "-term_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["city"],
                condition=Q(term_end__isnull=True),
                name="one_sitting_mayor_per_city",
                violation_error_message=gettext_lazy("This city already has a sitting mayor."),
            ),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gt=F("term_start")),
                name="mayor_term_ends_after_it_starts",
                violation_error_message=gettext_lazy("A term must end after it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.city})"

    def serving_on(self, day):
        """Whether this mayor was in office on `day` (a term ends the day the next begins)."""
        return self.term_start <= day and (self.term_end is None or day < self.term_end)

    @property
    def is_sitting(self):
        return self.term_end is None

    def clean(self):
        """A city has one mayor at a time (PostgreSQL also enforces it: see migration 0004)."""
        super().clean()
        if self.city_id is None or self.term_start is None:
            return
        if self.term_end is not None and self.term_end <= self.term_start:
            return  # the constraint on the term's own dates reports this
        others = Mayor.objects.filter(city_id=self.city_id).exclude(pk=self.pk)
        clash = others.serving_during(self.term_start, self.term_end).first()
        if clash:
            dates = {"mayor": clash.name, "start": date_format(clash.term_start, "j F Y")}
            if clash.term_end:
                dates["end"] = date_format(clash.term_end, "j F Y")
                message = _("This term overlaps %(mayor)s's, from %(start)s to %(end)s.")
            else:
                message = _("This term overlaps %(mayor)s's, from %(start)s to today.")
            raise ValidationError(message % dates)


def match_key(name):
    """A place or agency name as the police-violence matcher compares it.

    Case, punctuation and "Saint"/"St." are ignored, and a trailing "City" is dropped: the data
    says "New York" where we track "New York City".
    """
    words = re.sub(r"[^\w\s]", " ", str(name).casefold().replace("’", "").replace("'", "")).split()
    words = ["st" if word == "saint" else word for word in words]
    if len(words) > 1 and words[-1] == "city":
        words = words[:-1]
    return " ".join(words)


class CityAlias(models.Model):
    """Another name the police-violence data uses for a tracked city: a borough, a neighbourhood."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(
        max_length=120,
        help_text="The place as the data records it, e.g. “Brooklyn”.",
        validators=TEXT,
    )
    # Copies of the city's state and of the name as matched, set on save, so that the database
    # can hold each name in a state to one city (a constraint cannot reach through `city`).
    state = models.CharField(max_length=2, choices=STATE_CHOICES, editable=False)
    name_key = models.CharField(max_length=120, editable=False, validators=TEXT)

    class Meta:
        ordering = ["state", "name"]
        verbose_name_plural = "city aliases"
        constraints = [
            models.UniqueConstraint(
                fields=["state", "name_key"],
                name="city_alias_unique_per_state",
                violation_error_message=gettext_lazy(
                    "This name is already an alias in this state."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.name}, {self.state} → {self.city.name}"

    def save(self, *args, **kwargs):
        self._copy_from_city()
        super().save(*args, **kwargs)

    def clean(self):
        city = getattr(self, "city", None)  # missing while the form reports it as required
        if city is None or not self.name:
            return
        self._copy_from_city()
        if not self.name_key:
            raise ValidationError({"name": _("Give a place name.")})
        tracked = City.objects.filter(state=self.state).values_list("name", flat=True)
        if any(match_key(name) == self.name_key for name in [city.name, *tracked]):
            raise ValidationError({"name": _("A tracked city has this name: its rows match it.")})
        taken = CityAlias.objects.filter(state=self.state, name_key=self.name_key)
        other = taken.exclude(pk=self.pk).select_related("city").first()
        if other:
            message = _("This name is already an alias of %(city)s.") % {"city": other.city}
            raise ValidationError({"name": message})

    def _copy_from_city(self):
        self.state = self.city.state
        self.name_key = match_key(self.name)


class PoliceKilling(models.Model):
    """A person killed by police, from the Mapping Police Violence dataset."""

    class Match(models.TextChoices):
        CITY = "city", "by city"
        AGENCY = "agency", "by agency"
        ALIAS = "alias", "by alias"
        UNMATCHED = "", "unmatched"

    record_key = models.CharField(
        max_length=60,
        unique=True,
        editable=False,
        help_text="“mpv:” and the MPV ID, or for rows without one a digest of name, date, city "
        "and state.",
        validators=TEXT,
    )
    mpv_id = models.CharField(
        "MPV ID",
        max_length=40,
        blank=True,
        help_text="The dataset's own id, where it has one.",
        validators=TEXT,
    )
    name = models.CharField(max_length=200, blank=True, validators=TEXT)
    date = models.DateField(validators=PAST_DATE_VALIDATORS)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    age_text = models.CharField(
        "age as recorded",
        max_length=20,
        blank=True,
        help_text="E.g. “40s” or “Unknown”.",
        validators=TEXT,
    )
    gender = models.CharField(max_length=40, blank=True, validators=TEXT)
    race = models.CharField(max_length=60, blank=True, validators=TEXT)
    city_name = models.CharField("city as recorded", max_length=120, blank=True, validators=TEXT)
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    city = models.ForeignKey(
        City,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="police_killings",
        help_text="The tracked city this record was matched to, if any.",
    )
    match = models.CharField(
        max_length=10,
        choices=Match,
        blank=True,
        help_text="How the import matched the record to its city.",
    )
    agency = models.CharField(max_length=300, blank=True, validators=TEXT)
    cause_of_death = models.CharField(max_length=200, blank=True, validators=TEXT)
    armed_status = models.CharField(max_length=120, blank=True, validators=TEXT)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "record_key"]
        # The per-city years, and the data's newest date and import time on every city page.
        indexes = [
            models.Index(fields=["city", "date"]),
            models.Index(fields=["date"]),
            models.Index(fields=["imported_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=list(US_STATES)), name="police_killing_state_is_usps_code"
            ),
            models.UniqueConstraint(
                fields=["mpv_id"], condition=~Q(mpv_id=""), name="police_killing_mpv_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(date__gte=EARLIEST_DATE), name="police_killing_not_before_1900"
            ),
            # A date compares with a timestamp as its midnight (UTC), on PostgreSQL and SQLite.
            models.CheckConstraint(
                condition=Q(date__lte=F("imported_at")), name="police_killing_not_after_import"
            ),
        ]

    def __str__(self):
        return f"{self.name or 'Name withheld'} ({self.date}, {self.city_name}, {self.state})"

    def save(self, *args, **kwargs):
        if not self.record_key:
            self.record_key = self.key_for(
                self.mpv_id, self.name, self.date, self.city_name, self.state
            )
        super().save(*args, **kwargs)

    @staticmethod
    def key_for(mpv_id, name, date, city_name, state):
        """The record's stable key: its MPV ID, or else a digest of who died, when and where."""
        if mpv_id:
            return f"mpv:{mpv_id}"
        parts = (name, date, city_name, state)
        identity = "|".join(" ".join(str(part).casefold().split()) for part in parts)
        return "row:" + hashlib.sha256(identity.encode()).hexdigest()[:20]
