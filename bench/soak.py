"""`make soak`: mixed traffic for SOAK_SECONDS against gunicorn and PostgreSQL, then a count.

Recreates its own database (demo data, advocates with cities, a reviewer), serves it under
gunicorn with production settings and the Redis page cache, and runs locust with anonymous
readers on every public page kind, advocates proposing updates for their cities and a reviewer
approving them in the admin (bench/soak_locustfile.py). Afterwards it counts from the database
that every proposal the server accepted is there exactly once, prints Markdown for
BENCHMARKS.md and exits 1 on any 5xx, any lost or doubled submission or any unconfirmed approval.
"""

import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import django
import psutil
import psycopg2
import redis
import requests
import server
from run import PRODUCTION, manage

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).with_name("soak_locustfile.py")
DATABASE_URL = os.environ.get("SOAK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/soak")
CACHE_URL = os.environ.get("SOAK_CACHE_URL", "redis://127.0.0.1:6379/2")
SECONDS = int(os.environ.get("SOAK_SECONDS", "120"))
READERS = int(os.environ.get("SOAK_READERS", "8"))
ADVOCATES = int(os.environ.get("SOAK_ADVOCATES", "4"))  # accounts, one locust user each
CITIES_PER_ADVOCATE = 2
PASSWORD = "soak-password-not-secret"
REVIEWER = "soak-reviewer"
# The whole logs: readers fetch them rarely, as a program fetching the data would.
BIG_DOWNLOADS = ["data:updates_csv", "data:evidence_csv",
                 "data:police_violence_csv"]  # fmt: skip
STOP_TIMEOUT = 30  # users finish the request they are in: no proposal is cut off mid-flight
ENV = {
    **PRODUCTION,
    "DATABASE_URL": DATABASE_URL,
    "CACHE_URL": CACHE_URL,
    "PAGE_CACHE_SECONDS": "300",
}


def progress(message):
    print(f"soak: {message}", file=sys.stderr, flush=True)


def recreate_database():
    """Drop and create the soak database: every run starts from the same clean state."""
    name = urlsplit(DATABASE_URL).path.lstrip("/")
    admin = psycopg2.connect(DATABASE_URL, dbname="postgres")
    admin.autocommit = True  # CREATE and DROP DATABASE run outside a transaction
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        admin.close()


def create_users():
    """Advocates, each assigned to its own demo cities, and one staff reviewer; their names."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from cities.models import City

    User = get_user_model()
    # The biggest city is everyone's, so proposals for one city also arrive at the same time.
    shared, *cities = City.objects.order_by("-population", "pk")[
        : 1 + ADVOCATES * CITIES_PER_ADVOCATE
    ]
    advocates = []
    for number in range(ADVOCATES):
        user = User.objects.create_user(f"soak-advocate-{number + 1}", password=PASSWORD)
        mine = [shared, *cities[number::ADVOCATES]]
        for city in mine:
            city.advocates.add(user)
        advocates.append((user, mine))
    reviewer = User.objects.create_user(REVIEWER, password=PASSWORD, is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    return advocates, reviewer


def kind(path):
    """What locust calls a request: its URL's name and query keys ("api:update-list?state")."""
    from django.urls import resolve

    parts = urlsplit(path)
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return resolve(parts.path).view_name + (f"?{'&'.join(keys)}" if keys else "")


def checked(client, paths):
    """[kind, path] of the paths that answer 200 in-process (a deep page that the demo data
    lacks is left out)."""
    kept = []
    for path in paths:
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
        if response.status_code == 200:
            kept.append([kind(path), path])
        else:
            progress(f"left out {path}: {response.status_code}")
    return kept


def plan(run_id, advocates):
    """What the locust users request: every public page kind, their accounts and cities."""
    import targets
    from django.urls import reverse

    from cities.models import City
    from commitments.models import Action, Evidence, Pledge, Principle, ProgressUpdate

    client = targets.client()
    pages = checked(client, targets.bench_urls(client))
    rng = random.Random(run_id)
    samples = {
        "api:update-detail": ProgressUpdate.objects.approved(),
        "api:evidence-detail": Evidence.objects.approved(),
        "api:pledge-detail": Pledge.objects.approved(),
    }
    details = [
        reverse(name, args=[pk])
        for name, items in samples.items()
        for pk in rng.sample(list(items.values_list("pk", flat=True)), 5)
    ]
    pages += checked(client, details)
    pages += checked(client, [reverse("data:evidence_csv") + "?state=CA",
                              reverse("api:docs")])  # fmt: skip
    city_pages = []
    for city in City.objects.order_by("pk"):
        on_city = [city.state.lower(), city.slug]
        names = ["commitments:city", "commitments:city_pledge", "data:badge",
                 "data:city_feed", "api:city-detail"]  # fmt: skip
        city_pages.append({name: reverse(name, args=on_city) for name in names})
        for name in ["commitments:scorecard", "commitments:updates", "api:update-list"]:
            city_pages[-1][f"{name}?state"] = f"{reverse(name)}?state={city.state}"
    names = ["commitments:principle", "data:principle_feed", "api:principle-detail"]
    principle_pages = [
        {name: reverse(name, args=[principle.slug]) for name in names}
        for principle in Principle.objects.order_by("number")
    ]
    return {
        "run": run_id,
        "password": PASSWORD,
        "reviewer": REVIEWER,
        "advocate_users": ADVOCATES,
        "pages": pages,
        "city_pages": city_pages,
        "principle_pages": principle_pages,
        "big_downloads": [reverse(name) for name in BIG_DOWNLOADS],
        "actions": list(Action.objects.order_by("code").values_list("code", flat=True)),
        "advocates": [
            {
                "username": user.username,
                "cities": [
                    {
                        "state": city.state.lower(),
                        "slug": city.slug,
                        "evidence": list(city.evidence.approved().values_list("pk", flat=True)),
                    }
                    for city in cities
                ],
            }
            for user, cities in advocates
        ],
    }


def uncovered(traffic):
    """Public URL names (site and API) that no reader request reaches."""
    import targets
    from django.urls import resolve

    public = targets.public_url_names()
    kinds = [k for k, _path in traffic["pages"]]
    kinds += [k for pages in traffic["city_pages"] + traffic["principle_pages"] for k in pages]
    kinds += [resolve(path).view_name for path in traffic["big_downloads"]]
    return sorted(public - {k.split("?")[0] for k in kinds})


def run_locust(site, plan_path, results_path, prefix):
    command = [sys.executable, "-m", "locust", f"--locustfile={LOCUSTFILE}", "--headless",
               f"--users={READERS + ADVOCATES + 1}", f"--spawn-rate={READERS + ADVOCATES + 1}",
               f"--run-time={SECONDS}s", f"--host={site.base_url}", f"--csv={prefix}",
               "--only-summary", f"--stop-timeout={STOP_TIMEOUT}",
               "--loglevel=WARNING"]  # fmt: skip
    env = {**os.environ, "SOAK_PLAN": str(plan_path), "SOAK_RESULTS": str(results_path)}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)


def worker_rss_mb(site):
    total = 0
    for worker in site.workers():
        with suppress(psutil.NoSuchProcess):
            total += worker.memory_info().rss
    return total / 2**20


def server_log(site):
    """Gunicorn's log so far: server.gunicorn sends it to a file that this process can't name,
    but the arbiter's standard output is that file."""
    try:
        with open(f"/proc/{site.process.pid}/fd/1", errors="replace") as log:
            return log.read()
    except OSError as error:
        return f"(log unreadable: {error})"


def read_rows(prefix):
    import csv

    with open(f"{prefix}_stats.csv", newline="") as file:
        return list(csv.DictReader(file))


def verify(run_id, events, reviewer):
    """Count from the database: each accepted proposal once, each approval recorded."""
    from django.db.models import Count

    from commitments.models import ProgressUpdate, ReviewState

    accepted = [e["summary"] for e in events if e["kind"] == "accepted"]
    attempted = [e["summary"] for e in events if e["kind"] == "attempt"]
    refused = [e for e in events if e["kind"] == "refused"]
    approved = {e["id"] for e in events if e["kind"] == "approved"}
    mine = ProgressUpdate.objects.filter(summary__startswith=f"Soak {run_id} #")
    stored = dict(mine.values_list("summary").annotate(n=Count("id")))
    unanswered = set(attempted) - set(accepted) - {e["summary"] for e in refused}
    return {
        "attempted": len(attempted),
        "accepted": len(accepted),
        "accepted_unique": len(set(accepted)),
        "refused": refused,
        "unanswered": len(unanswered),
        "unanswered_stored": sum(1 for s in unanswered if s in stored),
        "stored": sum(stored.values()),
        "missing": [s for s in accepted if s not in stored],
        "doubled": [s for s, n in stored.items() if n > 1],
        "unexpected": [s for s in stored if s not in set(attempted)],
        "approvals": len(approved),
        "approvals_confirmed": ProgressUpdate.objects.filter(
            pk__in=approved, review_state=ReviewState.APPROVED, reviewed_by=reviewer
        ).count(),
        "approved_by_reviewer": ProgressUpdate.objects.filter(reviewed_by=reviewer).count(),
        "soak_approved": mine.filter(review_state=ReviewState.APPROVED).count(),
        "soak_pending": mine.filter(review_state=ReviewState.PENDING).count(),
        "not_approved": sum(1 for e in events if e["kind"] == "not_approved"),
    }


def ms(value):
    return "–" if value in ("", "N/A", None) else f"{float(value):.0f}"


def report(rows, counts, errors, server_errors, rss, restarts, database, missed):
    total = next(row for row in rows if row["Name"] == "Aggregated")
    per_url = Counter((e["method"], e["url"], e["status"]) for e in server_errors)
    print(f"## Soak ({datetime.now():%Y-%m-%d})\n")
    print(f"- Machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.1f} GiB, "
          f"{platform.platform()}, Python {platform.python_version()}")  # fmt: skip
    print(f"- `make soak`: {SECONDS} s of mixed traffic against gunicorn ({server.WORKERS} "
          f"workers, gunicorn.conf.py), DEBUG off, PostgreSQL {database} (demo data, "
          f"recreated each run), Redis page cache (PAGE_CACHE_SECONDS=300), "
          f"rate limits off")  # fmt: skip
    print(f"- Users: {READERS} anonymous readers (every public page kind, feeds, CSV and API; "
          f"the full updates/evidence/police-violence CSVs rarely), {ADVOCATES} advocates "
          f"logged in and proposing for their {CITIES_PER_ADVOCATE} own cities and one they share "
          f"(half through htmx), "
          f"1 reviewer approving pending updates from their admin pages; public URL names "
          f"not requested: {', '.join(missed) or 'none'}\n")  # fmt: skip
    print("| requests | req/s | failures | 5xx | connection errors | median ms | p95 ms | p99 ms |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(f"| {int(total['Request Count']):,} | {float(total['Requests/s']):.1f} "
          f"| {int(total['Failure Count'])} | {len(server_errors)} | {len(errors)} "
          f"| {ms(total['50%'])} | {ms(total['95%'])} | {ms(total['99%'])} |\n")  # fmt: skip
    c = counts
    print(f"- Proposals: {c['attempted']} posted, **{c['accepted']} accepted** by the server, "
          f"{len(c['refused'])} refused with a form error, {c['unanswered']} unanswered "
          f"({c['unanswered_stored']} of them stored)")  # fmt: skip
    print(f"- Counted afterwards in the database: {c['stored']} soak updates; accepted and "
          f"present exactly once: {c['accepted'] - len(c['missing'])} of {c['accepted']}; "
          f"missing {len(c['missing'])}, doubled {len(c['doubled'])}, unexpected "
          f"{len(c['unexpected'])}")  # fmt: skip
    print(f"- Approvals: **{c['approvals']}** through the admin's review button, "
          f"{c['approvals_confirmed']} confirmed approved by the reviewer in the database "
          f"({c['not_approved']} refused by the review rules); soak proposals now "
          f"{c['soak_approved']} approved, {c['soak_pending']} pending")  # fmt: skip
    print(f"- gunicorn workers: {rss[0]:.0f} MB RSS in all after warm-up, {rss[1]:.0f} MB at the "
          f"end; workers replaced during the run: {restarts}")  # fmt: skip
    if errors:
        print("\nConnection errors (no response):\n")
        for e in errors:
            print(f"- {e['method']} `{urlsplit(e['url']).path}`: `{e['error']}`")
    if per_url:
        print("\n5xx responses:\n")
        for (method, url, status), count in per_url.most_common():
            print(f"- {count} × {status} on {method} `{url}`")
    print("\n| request (URL name) | count | failures | median ms | p95 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in sorted(rows, key=lambda row: (row["Name"], row["Type"])):
        if row["Name"] != "Aggregated":
            print(f"| {row['Type']} `{row['Name']}` | {int(row['Request Count']):,} "
                  f"| {row['Failure Count']} | {ms(row['50%'])} | {ms(row['95%'])} "
                  f"| {ms(row['Max Response Time'])} |")  # fmt: skip


def main():
    sys.stdout.reconfigure(line_buffering=True)
    os.environ.update(ENV)
    run_id = f"{int(time.time())}"
    progress(f"recreating {DATABASE_URL}")
    recreate_database()
    progress("migrating")
    manage("migrate", "--noinput", "-v0")
    progress("loading the demo data")
    manage("seed_demo", "--no-logins")
    progress("collecting static files (DEBUG off serves the manifest's names)")
    manage("collectstatic", "--noinput", "-v0")
    django.setup()
    from django.db import connection

    advocates, reviewer = create_users()
    progress("planning the traffic (checking each URL in-process)")
    traffic = plan(run_id, advocates)
    missed = uncovered(traffic)
    redis.Redis.from_url(CACHE_URL).flushdb()  # after planning: its requests filled the cache
    database = f"{connection.pg_version // 10000} (`{connection.settings_dict['NAME']}`)"
    connection.close()  # nothing held open while the site runs
    with tempfile.TemporaryDirectory() as directory:
        plan_path = Path(directory) / "plan.json"
        plan_path.write_text(json.dumps(traffic))
        results_path = Path(directory) / "results.jsonl"
        results_path.touch()
        prefix = Path(directory) / "soak"
        try:
            with server.gunicorn(dict(os.environ)) as site:
                for _kind, path in traffic["pages"]:  # warm-up, as make bench does
                    requests.get(f"{site.base_url}{path}", timeout=server.DOWNLOAD_TIMEOUT)
                workers = {worker.pid for worker in site.workers()}
                rss_before = worker_rss_mb(site)
                progress(f"{SECONDS} s of mixed traffic on {site.base_url}")
                locust = run_locust(site, plan_path, results_path, prefix)
                rss_after = worker_rss_mb(site)
                restarts = len(workers - {worker.pid for worker in site.workers()})
                log = server_log(site)
        except server.ServerFailed as error:
            sys.exit(f"soak: gunicorn did not start:\n{error}")
        if not Path(f"{prefix}_stats.csv").exists():
            sys.exit(f"soak: locust wrote no statistics:\n{locust.stderr[-3000:]}")
        rows = read_rows(prefix)
        events = [json.loads(line) for line in results_path.read_text().splitlines() if line]
    server_errors = [e for e in events if e["kind"] == "5xx"]
    errors = [e for e in events if e["kind"] == "error"]
    counts = verify(run_id, events, reviewer)
    report(rows, counts, errors, server_errors, (rss_before, rss_after), restarts, database,
           missed)  # fmt: skip
    problems = []
    if server_errors:
        problems.append(f"{len(server_errors)} responses with status 5xx")
        progress(f"gunicorn's log ends:\n{log[-8000:]}")
    if counts["missing"] or counts["doubled"]:
        problems.append(f"{len(counts['missing'])} accepted proposals missing, "
                        f"{len(counts['doubled'])} stored twice: {counts['missing'][:5]} "
                        f"{counts['doubled'][:5]}")  # fmt: skip
    if not counts["accepted"]:
        problems.append("no proposal was accepted: the check proves nothing")
    if counts["approvals_confirmed"] != counts["approvals"]:
        problems.append("approvals the server acknowledged are not approved in the database")
    if not counts["approvals"]:
        problems.append("the reviewer approved nothing")
    for refusal in counts["refused"][:3]:
        progress(f"refused proposal ({refusal['status']}): {refusal['body'][:500]}")
    if locust.returncode and not rows:
        problems.append(f"locust failed:\n{locust.stderr[-3000:]}")
    if problems:
        sys.exit("soak: FAILED: " + "; ".join(problems))
    progress("passed: no 5xx, every accepted proposal stored exactly once")


if __name__ == "__main__":
    main()
