"""Places, their mayors and the record of people killed by police there."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from cities.states import STATE_CHOICES, US_STATES

http_url_validator = URLValidator(schemes=["http", "https"])


def http_url_condition(field):
    """Database check that a URL field is empty or starts with http:// or https://."""
    return (
        Q(**{field: ""})
        | Q(**{f"{field}__istartswith": "http://"})
        | Q(**{f"{field}__istartswith": "https://"})
    )


class CityQuerySet(models.QuerySet):
    def assigned_to(self, user):
        """The cities a user may act on: all for staff, their assigned cities for advocates."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(advocates=user)

    def with_scores(self):
        """Every figure any page, download or API shows about a city, annotated in SQL.

        Lazy: building it runs no query. How cities are scored belongs to the commitments app,
        which depends on this one and never the other way round; it installs the scorer below
        when it loads (`commitments.apps`, `commitments.scores.annotate_scores`).
        """
        return self.annotate_scores()

    def annotate_scores(self):
        raise ImproperlyConfigured("The commitments app scores cities; add it to INSTALLED_APPS.")


class City(models.Model):
    name = models.CharField(max_length=120)
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
    police_department = models.CharField(max_length=200, blank=True)
    website = models.URLField(blank=True, validators=[http_url_validator])
    advocates = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="assigned_cities",
        help_text="Advocates who may log progress for this city.",
    )

    objects = CityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "cities"
        ordering = ["name", "state"]
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
        return reverse("commitments:city", args=[self.state.lower(), self.slug])

    @property
    def state_name(self):
        return US_STATES.get(self.state, self.state)


class MayorQuerySet(models.QuerySet):
    def sitting(self):
        return self.filter(term_end__isnull=True)


class Mayor(models.Model):
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="mayors")
    name = models.CharField(max_length=200)
    term_start = models.DateField()
    term_end = models.DateField(
        null=True, blank=True, help_text="Leave empty while the mayor is in office."
    )

    objects = MayorQuerySet.as_manager()

    class Meta:
        ordering = ["city", "-term_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["city"],
                condition=Q(term_end__isnull=True),
                name="one_sitting_mayor_per_city",
                violation_error_message="This city already has a sitting mayor.",
            ),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gt=F("term_start")),
                name="mayor_term_ends_after_it_starts",
                violation_error_message="A term must end after it starts.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.city})"

    @property
    def is_sitting(self):
        return self.term_end is None


class PoliceKilling(models.Model):
    """A person killed by police, from the Mapping Police Violence dataset."""

    mpv_id = models.CharField(
        "MPV ID", max_length=40, unique=True, help_text="The dataset's own id for the record."
    )
    name = models.CharField(max_length=200, blank=True)
    date = models.DateField()
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    gender = models.CharField(max_length=40, blank=True)
    race = models.CharField(max_length=60, blank=True)
    city_name = models.CharField("city as recorded", max_length=120, blank=True)
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    city = models.ForeignKey(
        City,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="police_killings",
        help_text="The tracked city this record was matched to, if any.",
    )
    agency = models.CharField(max_length=300, blank=True)
    cause_of_death = models.CharField(max_length=200, blank=True)
    armed_status = models.CharField(max_length=120, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "mpv_id"]
        indexes = [models.Index(fields=["city", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=list(US_STATES)), name="police_killing_state_is_usps_code"
            ),
        ]

    def __str__(self):
        return f"{self.name or 'Name withheld'} ({self.date}, {self.city_name}, {self.state})"
