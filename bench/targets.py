"""What `make bench` measures, found in-process: the URLs, their SQL queries and query plans."""

import json
import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, resolve, reverse
from django.utils import translation
from django.utils.translation import get_language_from_path

from cities.models import City
from commitments.comparison import MAX_COMPARED, compare_url
from commitments.filters import DEFAULT_SORT, SORTS
from commitments.models import Evidence, Principle, ProgressUpdate

HOPS = 50  # how deep a "deep page" is: this many `rel="next"` links after page 1
SCORECARD_HOPS = 24  # page 25 of the scorecard (1,500 cities fill 60 pages)
STATE = "MI"
PRINCIPLE = 3
AS_OF = "2022-12-31"  # a past day inside the generated ten years of data
BIG_TABLES = {
    "commitments_progressupdate",
    "commitments_evidence",
    "commitments_progressupdate_evidence",
    "cities_policekilling",
}
# Full downloads, measured apart (a whole log is no page to hammer with 8 users).
DOWNLOADS = ["data:cities_csv", "data:updates_csv", "data:evidence_csv"]
# The whole logs sent from files built ahead (`commitments.downloads`), once those are built.
BUILT_AHEAD = [reverse(f"data:{name}_csv") for name in ("updates", "evidence")]
NEXT_TAG = re.compile(r"<(?:a|link)\b[^>]*\brel=\"next\"[^>]*>")
HREF = re.compile(r"\bhref=\"([^\"]*)\"")
# A queryset's iterator() runs its SELECT inside a server-side cursor's DECLARE.
DECLARE = re.compile(r"^DECLARE\b.*?\bCURSOR\b.*?\bFOR\s+", re.DOTALL)


@dataclass
class Profile:
    """One request's SQL: how many statements, and what their plans say."""

    status: int
    queries: int
    explained: int
    slowest_ms: float | None
    seq_scans: list[tuple[str, str]]  # (table, statement)


def client():
    return Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)


def busiest_city():
    """The city with the most approved updates: the longest timeline."""
    top = (
        ProgressUpdate.objects.approved()
        .values("city")
        .annotate(updates=Count("id"))
        .order_by("-updates")
        .first()
    )
    return City.objects.get(pk=top["city"])


def next_link(path, response):
    """The next page's path from an HTML or Atom `rel="next"` link or the API's `next` field."""
    if response["Content-Type"].startswith("application/json"):
        target = response.json().get("next")
    else:
        tag = NEXT_TAG.search(response.content.decode())
        href = tag and HREF.search(tag.group())
        target = href and unescape(href.group(1))
    if not target:
        return None
    parts = urlsplit(urljoin(path, target))
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def deep_page(client, path, hops, fallback=True):
    """The page `hops` next-links after `path`, wherever the list ends first.

    Following links works for page numbers and cursors alike. A list that links no next page
    gets `?page=N` (or None without `fallback`, for feeds, which may not paginate at all).
    """
    for hop in range(hops):
        following = next_link(path, client.get(path))
        if following is None:
            if hop > 0:
                return path
            return f"{path}{'&' if '?' in path else '?'}page={hops + 1}" if fallback else None
        path = following
    return path


def compared_cities(city):
    """The busiest city and the largest others: the widest comparison."""
    others = City.objects.exclude(pk=city.pk).order_by(F("population").desc(nulls_last=True))
    return [city, *others[: MAX_COMPARED - 1]]


def spanish(name, **kwargs):
    with translation.override("es"):
        return reverse(name, **kwargs)


def bench_urls(client):
    """Every kind of public page, export, feed and API endpoint; `/healthz`, the baseline, first."""
    city = busiest_city()
    on_city = {"state": city.state, "slug": city.slug}
    principle = Principle.objects.get(number=PRINCIPLE)
    scorecard = reverse("commitments:scorecard")
    grid = reverse("commitments:grid")
    compared = compared_cities(city)
    updates = reverse("commitments:updates")
    updates_feed = reverse("data:updates_feed")
    api_updates = reverse("api:update-list")
    # One sort per ordering; the ascending twins cost the same.
    sorts = [key for key in SORTS if key.startswith("-") and key != f"-{DEFAULT_SORT}"]
    urls = [
        reverse("healthz"),
        reverse("commitments:home"),
        scorecard,
        *[f"{scorecard}?sort={key}" for key in sorts],
        f"{scorecard}?state={STATE}",
        deep_page(client, scorecard, SCORECARD_HOPS),
        grid,
        f"{grid}?view=principles",
        f"{grid}?state={STATE}",
        compare_url(compared[:2]),
        compare_url(compared),
        reverse("commitments:map"),
        *[
            reverse(name, kwargs=on_city)
            for name in (
                "commitments:city",
                "commitments:city_pledge",
                "data:badge",
                "data:city_card",
                "data:city_feed",
            )
        ],  # fmt: skip
        reverse("commitments:principles"),
        reverse("commitments:principle", args=[principle.slug]),
        reverse("data:principle_feed", args=[principle.slug]),
        reverse("commitments:methodology"),
        reverse("commitments:pledge"),
        updates,
        f"{updates}?state={STATE}",
        f"{updates}?principle={principle.number}",
        deep_page(client, updates, HOPS),
        updates_feed,
        deep_page(client, updates_feed, HOPS, fallback=False),
        reverse("commitments:changes"),
        f"{reverse('data:changes_csv')}?state={STATE}",
        f"{scorecard}?as_of={AS_OF}",
        f"{scorecard}?as_of={AS_OF}&sort=-score",  # a figure: every city scored then
        f"{reverse('commitments:city', kwargs=on_city)}?as_of={AS_OF}",
        f"{reverse('commitments:home')}?as_of={AS_OF}",
        f"{reverse('api:city-list')}?as_of={AS_OF}",
        f"{reverse('commitments:grid')}?as_of={AS_OF}",
        f"{reverse('commitments:principles')}?as_of={AS_OF}",
        f"{reverse('commitments:principle', args=[principle.slug])}?as_of={AS_OF}",
        f"{reverse('data:cities_csv')}?as_of={AS_OF}",
        f"{reverse('follow:follow')}?city={city.pk}",  # the uncached follow form
        reverse("data:city_reports_csv"),
        # The Spanish pages: the same queries, another cache entry.
        spanish("commitments:home"),
        spanish("commitments:scorecard"),
        spanish("commitments:city", kwargs=on_city),
        reverse("commitments:data"),
        reverse("data:cities_csv"),
        f"{reverse('data:police_violence_csv')}?state={STATE}",
        reverse("api:root"),
        reverse("api:city-list"),
        reverse("api:city-detail", kwargs=on_city),
        api_updates,
        f"{api_updates}?state={STATE}",
        deep_page(client, api_updates, HOPS),
        f"{reverse('api:evidence-list')}?principle={principle.number}",
        reverse("api:pledge-list"),
        reverse("api:principle-list"),
        reverse("api:schema"),
    ]
    return list(dict.fromkeys(url for url in urls if url))


def public_url_names():
    """Every URL name of the public site and the API."""
    resolver = get_resolver()
    return {
        f"{namespace}:{name}"
        for namespace in ("commitments", "data", "api")
        for name in resolver.namespace_dict[namespace][1].reverse_dict
        if isinstance(name, str)
    }


def unbenchmarked(urls):
    """Public URL names that no benchmarked URL reaches, such as pages added since."""
    public = public_url_names()
    covered = set()
    for url in urls:
        path = urlsplit(url).path
        with translation.override(get_language_from_path(path) or settings.LANGUAGE_CODE):
            covered.add(resolve(path).view_name)
    return sorted(public - covered - set(DOWNLOADS))


def download_urls():
    """Each full CSV download and the rows it should hold, header included."""
    return {
        reverse("data:cities_csv"): City.objects.count() + 1,
        reverse("data:updates_csv"): ProgressUpdate.objects.approved().count() + 1,
        reverse("data:evidence_csv"): Evidence.objects.approved().count() + 1,
    }


def captured_sql(client, path):
    """The response's status and every SQL statement it ran, a streamed body's included."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
    return response.status_code, [query["sql"] for query in context.captured_queries]


def explain(sql):
    """`EXPLAIN (ANALYZE, FORMAT JSON)` of a captured SELECT, or None if it can't be re-run."""
    select = DECLARE.sub("", sql.strip(), count=1)
    if connection.vendor != "postgresql" or not select.upper().startswith(("SELECT", "WITH")):
        return None
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {select}")
            plan = cursor.fetchone()[0]
    except DatabaseError:
        return None
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]


def seq_scans(node):
    """The big tables that a plan node, or any node under it, reads by sequential scan."""
    tables = []
    if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in BIG_TABLES:
        tables.append(node["Relation Name"])
    for child in node.get("Plans", []):
        tables += seq_scans(child)
    return tables


def profile(client, path):
    """Count one request's SQL statements and explain each SELECT among them."""
    status, statements = captured_sql(client, path)
    plans = [(sql, plan) for sql in statements if (plan := explain(sql))]
    return Profile(
        status=status,
        queries=len(statements),
        explained=len(plans),
        slowest_ms=max((plan["Execution Time"] for _sql, plan in plans), default=None),
        seq_scans=[(table, sql) for sql, plan in plans for table in seq_scans(plan["Plan"])],
    )
