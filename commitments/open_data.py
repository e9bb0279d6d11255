"""Open data: streamed CSV downloads, Atom feeds and the embeddable badge."""

import csv

from django.contrib.syndication.views import Feed
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.cache import cache_control

from cities.models import City, PoliceKilling
from commitments.forms import (
    EvidenceFilterForm,
    FilterForm,
    ScorecardFilterForm,
    UpdatesFilterForm,
)
from commitments.models import Evidence, Principle
from commitments.scoring import points_for
from commitments.selectors import approved_updates, principle_scores, scorecard_cities

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FEED_SIZE = 50


def neutralise(value):
    """A CSV cell that spreadsheets will show, never run: formulas get a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a stream."""

    def write(self, value):
        return value


def csv_download(filename, header, rows):
    """Stream rows as a UTF-8 CSV with a header row, one line at a time."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([neutralise(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def data_page(request):
    return render(request, "commitments/data.html", {"principles": Principle.objects.all()})


def absolute(request, path):
    return request.build_absolute_uri(path)


def cities_csv(request):
    principles = list(Principle.objects.all())
    cities = ScorecardFilterForm(request.GET).filter(scorecard_cities())
    header = ["state", "city", "population", "mayor", "pledge_status", "score", "grade",
              *[f"principle_{p.number}_score" for p in principles], "rated_actions",
              "reversed_actions", "last_updated", "url"]  # fmt: skip
    rows = (
        [city.state, city.name, city.population, city.mayor_name, city.pledge_status or "not_asked",
         city.rounded_score, city.grade, *principle_scores(city, principles), city.rated_actions,
         city.flagged_actions, city.last_updated, absolute(request, city.get_absolute_url())]
        for city in cities.iterator(chunk_size=500)
    )  # fmt: skip
    return csv_download("pledge-tracker-cities.csv", header, rows)


def updates_csv(request):
    updates = UpdatesFilterForm(request.GET).filter(approved_updates())
    header = ["id", "state", "city", "action", "action_title", "principle", "status", "points",
              "summary", "happened_on", "approved_at", "evidence_ids", "city_url"]  # fmt: skip
    rows = (
        [u.pk, u.city.state, u.city.name, u.action.code, u.action.title,
         u.action.principle.number, u.status, points_for(u.status), u.summary, u.happened_on,
         u.reviewed_at, " ".join(str(e.pk) for e in u.evidence.all()),
         absolute(request, u.city.get_absolute_url())]
        for u in updates.iterator(chunk_size=500)
    )  # fmt: skip
    return csv_download("pledge-tracker-updates.csv", header, rows)


def evidence_csv(request):
    evidence = EvidenceFilterForm(request.GET).filter(
        Evidence.objects.approved().select_related("city").order_by("-published_on", "-id")
    )
    header = ["id", "state", "city", "title", "url", "publisher", "published_on", "kind",
              "excerpt"]  # fmt: skip
    rows = (
        [e.pk, e.city.state, e.city.name, e.title, e.url, e.publisher, e.published_on, e.kind,
         e.excerpt]
        for e in evidence.iterator(chunk_size=500)
    )  # fmt: skip
    return csv_download("pledge-tracker-evidence.csv", header, rows)


def police_violence_csv(request):
    """People killed by police per tracked city, year and race."""
    records = FilterForm(request.GET).filter(PoliceKilling.objects.filter(city__isnull=False))
    counts = (
        records.annotate(year=ExtractYear("date"))
        .values("city__state", "city__name", "year", "race")
        .annotate(people=Count("pk"))
        .order_by("city__state", "city__name", "-year", "race")
    )
    header = ["state", "city", "year", "race", "people_killed", "source"]
    rows = (
        [row["city__state"], row["city__name"], row["year"], row["race"] or "Unknown race",
         row["people"], "Mapping Police Violence"]
        for row in counts.iterator(chunk_size=1000)
    )  # fmt: skip
    return csv_download("pledge-tracker-police-violence.csv", header, rows)


@cache_control(public=True, max_age=3600)
def badge(request, state, slug):
    city = get_object_or_404(scorecard_cities(), state=state.upper(), slug=slug)
    response = render(
        request, "commitments/badge.svg", {"city": city}, content_type="image/svg+xml"
    )
    return response


class UpdatesFeed(Feed):
    """Atom feed of approved updates, newest first."""

    feed_type = Atom1Feed
    title = "Pledge Tracker: approved updates"
    subtitle = "Approved progress updates on the Mayoral Pledge to End Police Violence."

    def link(self, obj=None):
        return reverse("commitments:updates")

    def items(self, obj=None):
        return approved_updates()[:FEED_SIZE]

    def item_title(self, update):
        return f"{update.city}: {update.action.code} {update.action.title}, " + str(
            update.get_status_display()
        )

    def item_description(self, update):
        return update.summary

    def item_link(self, update):
        return f"{update.city.get_absolute_url()}#update-{update.pk}"

    def item_pubdate(self, update):
        return update.reviewed_at

    def item_updateddate(self, update):
        return update.reviewed_at


class CityUpdatesFeed(UpdatesFeed):
    def get_object(self, request, state, slug):
        return get_object_or_404(City, state=state.upper(), slug=slug)

    def title(self, city):
        return f"Pledge Tracker: {city}"

    def link(self, city):
        return city.get_absolute_url()

    def items(self, city):
        return approved_updates().filter(city=city)[:FEED_SIZE]


class PrincipleUpdatesFeed(UpdatesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Principle, slug=slug)

    def title(self, principle):
        return f"Pledge Tracker: {principle}"

    def link(self, principle):
        return principle.get_absolute_url()

    def items(self, principle):
        return approved_updates().filter(action__principle=principle)[:FEED_SIZE]
