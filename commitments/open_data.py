"""Open data: streamed CSV downloads, Atom feeds and the embeddable badge."""

import csv
import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import islice

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import ExtractYear
from django.http import HttpResponse, HttpResponseBadRequest, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.cache import cache_control

from cities.filters import PoliceKillingFilter
from cities.models import City, PoliceKilling
from cities.police_violence import SOURCE_NAME
from cities.validators import without_control_characters
from commitments.as_of import as_of
from commitments.cards import BADGE_LABEL_COLOUR, GRADE_COLOURS, TEXT_ON_COLOUR
from commitments.changes import changed_cities, changes_between, period_form
from commitments.downloads import FILENAMES, prebuilt
from commitments.filters import CityFilter, CityReportFilter, EvidenceFilter, UpdateFilter
from commitments.models import Evidence, PledgeStatus, Principle, ReviewState, ratings
from commitments.scores import scored_cities
from commitments.scoring import COVERAGE_THRESHOLD_TEXT, EXACT_PLACES, Grade, points_for
from commitments.selectors import (
    approved_evidence,
    approved_updates,
    as_it_stood,
    framework_size,
    report_differs,
    submitted_reports,
)
from pledge_tracker.limits import one_stream_at_a_time
from pledge_tracker.reversing import reverser

# A spreadsheet runs a cell that starts with one of these as a formula; some (East Asian
# locales of Excel among them) read the full-width forms as the ASCII ones.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
FEED_SIZE = 50
BATCH = 2000  # rows a download reads at a time


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


def csv_download(filename, header, rows, stream=True):
    """Rows as a UTF-8 CSV with a header row: streamed one line at a time, or, for the short
    lists (`stream=False`), whole, so that it can be cached like a page.

    The rows are read inside a transaction: there PostgreSQL's cursor streams the first row at
    once, where outside one (WITH HOLD) it would build the whole result first. A streamed
    response has no length, so it goes out chunked and a cut-off download cannot pass for a
    complete one.
    """
    content_type = "text/csv; charset=utf-8"
    if stream:
        response = StreamingHttpResponse(csv_lines(header, rows), content_type=content_type)
    else:
        response = HttpResponse("".join(csv_lines(header, rows)), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_lines(header, rows):
    """The CSV's lines: the header, then the rows (read in a transaction, see `csv_download`),
    each cell neutralised."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    with transaction.atomic():
        for row in rows:
            yield writer.writerow([neutralise(value) for value in row])


def streamed_rows(items):
    """A list's items read from a cursor, a batch at a time."""
    return items.iterator(chunk_size=BATCH)


def filtered_csv(request, filterset_class, queryset, filename, header, row, rows_of=None,
                 stream=True):  # fmt: skip
    """A list's CSV, filtered exactly as its page and API endpoint; bad filters answer 400.

    `row` turns one item into a line; `rows_of`, if given, turns the filtered queryset into
    the items first (for a CSV of counts); `stream` as for `csv_download`. A list streamed is
    read from a cursor; one sent whole is read at once, by a query planned for all its rows (a
    cursor's plan favours the first: the cities as of a past day took 173 ms, not 13).
    """
    filterset = filterset_class(request.GET, queryset=queryset)
    if not filterset.is_valid():
        return refusal(filterset)
    if rows_of:
        items = rows_of(filterset.qs)
    else:
        items = streamed_rows(filterset.qs) if stream else filterset.qs
    rows = (row(item) for item in items)
    return csv_download(filename, header, rows, stream)


def refusal(filterset):
    """The answer to filters that were not understood: 400, saying what each one was."""
    problems = [f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()]
    return HttpResponseBadRequest(
        "Some filters were not understood:\n" + "\n".join(problems),
        content_type="text/plain; charset=utf-8",
    )


def data_page(request):
    context = {
        "principles": Principle.objects.all(),
        "pledge_statuses": PledgeStatus.choices,
        "grades": Grade.choices,
        "total_actions": framework_size(),
        "coverage_threshold": COVERAGE_THRESHOLD_TEXT,
        "exact_places": EXACT_PLACES,
    }
    return render(request, "commitments/data.html", context)


def city_urls():
    """A city's absolute URL on the site (SITE_URL, whichever host a download came through: a
    file built ahead has none) from its state and slug, each built once however many rows (the
    reverser is looked up once: a CSV has a row per city)."""
    reverse_here = reverser()

    @functools.cache
    def url(state, slug):
        return settings.SITE_URL + City.page_url(state, slug, reverse_here)

    return url


def cities_csv(request):
    numbers = list(Principle.objects.values_list("number", flat=True))
    header = ["state", "city", "population", "mayor", "pledge_status", "score", "score_exact",
              "grade", "rated_actions", "total_actions",
              *[f"principle_{number}_score" for number in numbers], "reversed_actions",
              "last_updated", "url"]  # fmt: skip

    city_url = city_urls()

    def row(city):
        return [city.state, city.name, city.population, city.mayor_name, city.pledge_status,
                city.score, city.score_exact, city.grade, city.rated_actions, city.total_actions,
                *[principle["score"] for principle in city.principle_scores],
                city.reversed_actions, city.last_updated,
                city_url(city.state, city.slug)]  # fmt: skip

    return filtered_csv(request, CityFilter, scored_cities(as_of(request)),
                        "pledge-tracker-cities.csv", header, row, stream=False)  # fmt: skip


def changes_csv(request):
    """The changes page's rows, one per changed action, for the same period and filters."""
    form = period_form(request.GET)
    if not form.is_valid():
        problems = [f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()]
        return HttpResponseBadRequest(
            "Some parameters were not understood:\n" + "\n".join(problems),
            content_type="text/plain; charset=utf-8",
        )
    period = form.cleaned_data
    header = ["state", "city", "action", "action_title", "old_status", "new_status",
              "happened_on", "approved_at", "score_before", "score_after", "grade_before",
              "grade_after", "evidence_urls", "city_url"]  # fmt: skip
    cities = changed_cities(period["from"], period["to"], period["state"], period["city"])
    city_url = city_urls()

    def rows():
        for city in changes_between(period["from"], period["to"], list(cities)):
            for old_status, new in city.changes:
                yield [city.city.state, city.city.name, new.action.code, new.action.title,
                       old_status or "", new.status, new.happened_on, new.reviewed_at,
                       city.before.score, city.city.score, city.before.grade, city.city.grade,
                       " ".join(item.url for item in new.public_evidence),
                       city_url(city.city.state, city.city.slug)]  # fmt: skip

    name = f"pledge-tracker-changes-{period['from']}-{period['to']}.csv"
    return csv_download(name, header, rows(), stream=False)


UPDATES_HEADER = ["id", "state", "city", "action", "action_title", "principle", "status",
                  "points", "summary", "happened_on", "approved_at", "evidence_ids",
                  "city_url"]  # fmt: skip


def update_line(city_url):
    """The updates CSV's line of one of `update_rows`' rows, `city_url` from `city_urls`."""

    def line(u):
        return [u["pk"], u["city__state"], u["city__name"], u["action__code"],
                u["action__title"], u["action__principle__number"], u["status"],
                points_for(u["status"]), u["summary"], u["happened_on"], u["reviewed_at"],
                " ".join(map(str, u["evidence_ids"])),
                city_url(u["city__state"], u["city__slug"])]  # fmt: skip

    return line


def batches(rows, size):
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


def update_rows(updates):
    """The log's rows as plain values, with each update's approved evidence ids, a batch at a
    time: no model instances (they were most of the cost of a 600,000-row download)."""
    fields = ["pk", "city__state", "city__name", "city__slug", "action__code",
              "action__title", "action__principle__number", "status", "summary",
              "happened_on", "reviewed_at"]  # fmt: skip
    rows = streamed_rows(updates.prefetch_related(None).values(*fields))
    for batch in batches(rows, BATCH):
        links = Evidence.updates.through.objects.filter(
            progressupdate__in=[row["pk"] for row in batch],
            evidence__review_state=ReviewState.APPROVED,
        ).order_by("evidence")
        evidence = {}
        for update_id, evidence_id in links.values_list("progressupdate", "evidence"):
            evidence.setdefault(update_id, []).append(evidence_id)
        for row in batch:
            yield {**row, "evidence_ids": evidence.get(row["pk"], [])}


EVIDENCE_HEADER = ["id", "state", "city", "title", "url", "publisher", "published_on", "kind",
                   "excerpt"]  # fmt: skip


def evidence_line(e):
    return [e.pk, e.city.state, e.city.name, e.title, e.url, e.publisher, e.published_on, e.kind,
            e.excerpt]  # fmt: skip


@dataclass(frozen=True)
class LogCSV:
    """A log's CSV: streamed as its page filters it, or whole from a file built ahead."""

    name: str  # its file's (`downloads.FILENAMES`)
    filterset: type
    items: Callable  # a day (None: today) -> the log's public items then
    header: list
    new_row: Callable  # () -> a function of one of `rows_of`'s items: its row
    rows_of: Callable  # the filtered items -> what `new_row()` turns into rows

    def response(self, request):
        """The whole log from its file, when that is asked for and built: sent to anyone at
        once, without the database. Else streamed, one stream at a time
        (`limits.one_stream_at_a_time`)."""
        return prebuilt(request, self.name) or one_stream_at_a_time(self.streamed)(request)

    def streamed(self, request):
        return filtered_csv(
            request, self.filterset, self.items(as_of(request)), FILENAMES[self.name],
            self.header, self.new_row(), self.rows_of,
        )  # fmt: skip

    def whole(self):
        """The lines of today's whole log, as `response` streams it with no query."""
        items = self.filterset(QueryDict(), queryset=self.items(None)).qs
        return csv_lines(self.header, map(self.new_row(), self.rows_of(items)))


UPDATES_CSV = LogCSV("updates", UpdateFilter, approved_updates, UPDATES_HEADER,
                     lambda: update_line(city_urls()), update_rows)  # fmt: skip
EVIDENCE_CSV = LogCSV("evidence", EvidenceFilter, approved_evidence, EVIDENCE_HEADER,
                      lambda: evidence_line, streamed_rows)  # fmt: skip
# The whole logs built ahead as files (`downloads`): each one's lines.
WHOLE_LOGS = {log.name: log.whole for log in (UPDATES_CSV, EVIDENCE_CSV)}


def updates_csv(request):
    return UPDATES_CSV.response(request)


def evidence_csv(request):
    return EVIDENCE_CSV.response(request)


def city_reports_csv(request):
    """Every city's every report as it stood (at the end of a day), oldest first: the city's
    whole account, superseded reports too."""
    day = as_of(request)
    rating = ratings(day).filter(city=OuterRef("city"), action=OuterRef("action"))
    reports = (
        submitted_reports(day)
        .annotate(independent=Subquery(rating.values("status")[:1]))
        .select_related("city", "action")
        .order_by("submitted_at", "id")
    )
    header = ["id", "state", "city", "action", "status", "summary", "happened_on",
              "evidence_url", "submitted_at", "answer", "answered_at", "independent_status",
              "differs"]  # fmt: skip

    def row(report):
        r = as_it_stood(report, day)
        return [r.pk, r.city.state, r.city.name, r.action.code, r.status, r.summary,
                r.happened_on, r.evidence_url, r.submitted_at.isoformat(), r.answer,
                r.answered_at.isoformat() if r.answered_at else "", r.independent or "",
                str(report_differs(r, r.independent)).lower()]  # fmt: skip

    return filtered_csv(request, CityReportFilter, reports, "pledge-tracker-city-reports.csv",
                        header, row)  # fmt: skip


def police_violence_csv(request):
    """People killed by police per tracked city, year and race."""

    def counts(records):
        return (
            records.annotate(year=ExtractYear("date"))
            .values("city__state", "city__name", "year", "race")
            .annotate(people=Count("pk"))
            .order_by("city__state", "city__name", "-year", "race")
        )

    def row(count):
        return [count["city__state"], count["city__name"], count["year"],
                count["race"] or "Unknown race", count["people"], SOURCE_NAME]  # fmt: skip

    header = ["state", "city", "year", "race", "people_killed", "source"]
    records = PoliceKilling.objects.filter(city__isnull=False)
    if day := as_of(request):
        records = records.filter(date__lte=day)
    filename = "pledge-tracker-police-violence.csv"
    return filtered_csv(request, PoliceKillingFilter, records, filename, header, row, counts,
                        stream=False)  # fmt: skip


@cache_control(public=True, max_age=3600)
def badge(request, state, slug):
    city = get_object_or_404(scored_cities(as_of(request)), state=state.upper(), slug=slug)
    context = {
        "city": city,
        "label_colour": BADGE_LABEL_COLOUR,
        "grade_colour": GRADE_COLOURS[city.grade],
        "text_colour": TEXT_ON_COLOUR,
    }
    return render(request, "commitments/badge.svg", context, content_type="image/svg+xml")


class PrintableAtomFeed(Atom1Feed):
    """Atom is XML 1.0, which cannot carry control characters. The models refuse them; text
    stored before they did is cleaned here, so one bad summary cannot break a feed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **printable(kwargs))

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **printable(kwargs))


def printable(values):
    return {
        name: without_control_characters(value) if isinstance(value, str) else value
        for name, value in values.items()
    }


@dataclass
class Followed:
    """What a feed follows (the whole log, a city or a principle), the day it shows, and the
    log's filters and order from its query (`UpdateFilter`, as on the updates page)."""

    day: date | None
    query: QueryDict
    city: City | None = None
    principle: Principle | None = None

    def updates(self):
        updates = approved_updates(self.day)
        if self.city:
            updates = updates.filter(city=self.city)
        if self.principle:
            updates = updates.filter(action__principle=self.principle)
        filters = UpdateFilter(self.query, queryset=updates)
        if not filters.is_valid():
            raise FiltersRefused(filters)
        return filters.qs[:FEED_SIZE]


class FiltersRefused(Exception):
    """A feed's filters were not understood: raised while the feed is built, answered 400."""

    def __init__(self, filterset):
        super().__init__()
        self.filterset = filterset


class UpdatesFeed(Feed):
    """Atom feed of approved updates, the latest published first."""

    feed_type = PrintableAtomFeed
    title = "Pledge Tracker: approved updates"
    subtitle = "Approved progress updates on the Mayoral Pledge to End Police Violence."

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except FiltersRefused as refused:
            return refusal(refused.filterset)

    def get_object(self, request):
        return Followed(as_of(request), request.GET)

    def link(self, followed):
        return reverse("commitments:updates")

    def items(self, followed):
        return followed.updates()

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
        city = get_object_or_404(City, state=state.upper(), slug=slug)
        return Followed(as_of(request), request.GET, city=city)

    def title(self, followed):
        return f"Pledge Tracker: {followed.city}"

    def link(self, followed):
        return followed.city.get_absolute_url()


class PrincipleUpdatesFeed(UpdatesFeed):
    def get_object(self, request, slug):
        principle = get_object_or_404(Principle, slug=slug)
        return Followed(as_of(request), request.GET, principle=principle)

    def title(self, followed):
        return f"Pledge Tracker: {followed.principle}"

    def link(self, followed):
        return followed.principle.get_absolute_url()
