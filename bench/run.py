"""`make bench`: every public URL of Pledge Tracker measured at national scale, uncached and cached.

Loads the data if the database has none, serves the site under gunicorn with production settings,
drives each URL from wrk in another process and prints Markdown: one table per mode, each
URL's query plans, the full CSV downloads and the police-violence import. README, "Benchmark".
"""

import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import django
import psutil
import psycopg2
import redis
import server

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/load1500")
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CITIES = 1500
MPV_EXPORT = ROOT.parent / "shared" / "data" / "MPVDatasetDownload.xlsx"
CACHE_URL = "redis://127.0.0.1:6379/1"
# A rerun of some URLs: those a regular expression finds (`/healthz`, the baseline, always).
ONLY = re.compile(os.environ.get("BENCH_ONLY", ""))
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "pledge_tracker.settings",
    "DATABASE_URL": DATABASE_URL,
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-that-is-long-enough-for-django-checks",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "EMAIL_URL": "consolemail://",
    "SECURE_SSL_REDIRECT": "false",  # plain HTTP on this machine
    "RATE_LIMITS": "off",  # one client sends everything here
    "PAGE_CACHE_SECONDS": "0",
}
SELECT_LIST = re.compile(r"^SELECT .*? FROM ", re.DOTALL)  # shortened in the report
MODES = {
    "uncached": {"PAGE_CACHE_SECONDS": "0"},
    "cached": {"PAGE_CACHE_SECONDS": "300", "CACHE_URL": CACHE_URL},
}


@dataclass
class Measured:
    """A finished command: exit code, standard output, wall time and peak memory."""

    returncode: int
    output: str
    seconds: float
    peak_mb: float


def progress(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def manage(*args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def measure(*args):
    """Run a manage.py command, timing it and reading its peak RSS from the kernel.

    `os.wait4` gives the rusage of this one child (what getrusage(RUSAGE_CHILDREN) would give
    if it were the only child), so earlier commands' memory doesn't leak into the figure.
    """
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, stdout=output)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        return Measured(process.returncode, output.read().decode(), seconds, usage.ru_maxrss / 1024)


def create_database():
    name = urlsplit(DATABASE_URL).path.lstrip("/")
    admin = psycopg2.connect(DATABASE_URL, dbname="postgres")
    admin.autocommit = True  # CREATE DATABASE runs outside a transaction
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                progress(f"creating database {name}")
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        admin.close()


def load_data_if_missing():
    """Generate the national-scale data unless the database has cities; what it cost, or None."""
    from django.core.management import get_commands

    from cities.models import City

    if City.objects.exists():
        return None
    if "generate_load_data" not in get_commands():
        sys.exit("bench: the database has no cities and generate_load_data does not exist yet.")
    progress(f"generating {CITIES} cities of load data")
    load = measure("generate_load_data", "--cities", str(CITIES))
    if load.returncode:
        sys.exit(f"bench: generate_load_data failed:\n{load.output}")
    return load


def run_mode(mode, urls, downloads, built_ahead):
    """Load-test every URL under a fresh gunicorn in one mode; `downloads` too, uncached, those
    `built_ahead` as files both before and after they are built."""
    overrides = MODES[mode]
    if "CACHE_URL" in overrides:
        redis.Redis.from_url(overrides["CACHE_URL"]).flushdb()
    with server.gunicorn({**os.environ, **overrides}) as site:
        stats = {}
        for url in urls:
            progress(f"{mode}: {url}")
            stats[url] = server.load_test(site, url, SECONDS)
        fetched, built = [], None
        if mode == "uncached":
            # First before the whole logs' files are built (they stream), then from the files.
            fetched = download_each(site, downloads, built_ahead, "streamed")
            progress("building the whole logs' files (build_downloads)")
            built = measure("build_downloads")
            files = {url: rows for url, rows in downloads.items() if url in built_ahead}
            fetched += download_each(site, files, built_ahead, "from its file")
    return stats, fetched, built


def download_each(site, downloads, built_ahead, how):
    """Each full download once: [(how it was sent, `server.Download`)], `how` for the logs
    `built_ahead`, the others being short and sent whole."""
    fetched = []
    for url, rows in downloads.items():
        sent = how if url in built_ahead else "whole"
        progress(f"uncached: downloading {url}, {sent}")
        fetched.append((sent, server.download(site, url, rows)))
    return fetched


def milliseconds(value):
    return "–" if value is None else f"{value:.0f}"


def print_machine():
    print("# Pledge Tracker benchmark\n")
    print(f"- Machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.1f} GiB, "
          f"{platform.platform()}, "
          f"Python {platform.python_version()} ({sys.base_prefix})")  # fmt: skip
    print(
        f"- Load: wrk, {server.USERS} connections, no think time, gzip accepted, {SECONDS} s per "
        f"URL; gunicorn, {server.WORKERS} workers (gunicorn.conf.py), DEBUG off"
    )


def print_data(load, downloads):
    from django.db import connection

    cities, updates, evidence = (rows - 1 for rows in downloads.values())
    print(f"- Database: `{connection.settings_dict['NAME']}` on PostgreSQL "
          f"{connection.pg_version // 10000}: {cities:,} cities, {updates:,} approved updates, "
          f"{evidence:,} approved evidence items")  # fmt: skip
    if load is None:
        print("- Data already loaded: `generate_load_data` time is not measured in this run")
        return
    print(f"- `generate_load_data --cities {CITIES}`: {load.seconds:.0f} s wall, "
          f"peak RSS {load.peak_mb:.0f} MB. It reported:\n")  # fmt: skip
    print("\n".join(f"      {line}" for line in load.output.rstrip().splitlines()))


def print_plans(profiles):
    print("\n## SQL per URL (in-process, uncached, `EXPLAIN ANALYZE` of each SELECT)\n")
    print("| URL | status | SQL queries | explained | slowest statement ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for url, profile in profiles.items():
        print(f"| `{url}` | {profile.status} | {profile.queries} | {profile.explained} "
              f"| {milliseconds(profile.slowest_ms)} |")  # fmt: skip
    print("\n## Sequential scans over the log\n")
    scans = dict.fromkeys(
        (url, table, sql) for url, profile in profiles.items() for table, sql in profile.seq_scans
    )
    for url, table, sql in scans:
        print(f"- `{url}`: `{table}` in `{SELECT_LIST.sub('SELECT … FROM ', sql)[:200]}…`")
    if not scans:
        print("none")


def print_table(mode, stats, profiles):
    baseline = next(iter(stats.values())).rps  # /healthz, measured in the same run
    print(f"\n## {mode.capitalize()}\n")
    print("| URL | SQL queries | req/s | median ms | p95 ms | p99 ms | errors | × healthz |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for url, row in stats.items():
        ratio = f"{row.rps / baseline:.2f}" if baseline else "–"
        print(f"| `{url}` | {profiles[url].queries} | {row.rps:.1f} | {milliseconds(row.median)} "
              f"| {milliseconds(row.p95)} | {milliseconds(row.p99)} | {row.failures} "
              f"| {ratio} |")  # fmt: skip


def print_downloads(downloads, built):
    print("\n## Full downloads (uncached, one client)\n")
    print("The whole logs once streamed, then once more after `build_downloads` built their "
          f"files ({built.seconds:.1f} s wall, peak RSS {built.peak_mb:.0f} MB, exit "
          f"{built.returncode}).\n")  # fmt: skip
    print("| URL | sent | status | s to last byte | MB | rows (expected) | complete | "
          "peak worker RSS MB | error |")  # fmt: skip
    print("| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | --- |")
    for how, d in downloads:
        print(f"| `{d.path}` | {how} | {d.status} | {d.seconds:.1f} | {d.size / 2**20:.1f} "
              f"| {d.rows:,} ({d.expected_rows:,}) | {'yes' if d.complete else '**no**'} "
              f"| {d.peak_worker_mb:.0f} | {d.error} |")  # fmt: skip


def print_import(result):
    print("\n## Importing the police-violence export\n")
    lines = result.output.strip().splitlines() or ["(no output)"]
    summary = next((line for line in lines if line.startswith("Read ")), lines[-1])
    print(f"`import_police_violence {MPV_EXPORT.name} --dry-run --no-progress`: "
          f"{result.seconds:.1f} s wall, peak RSS {result.peak_mb:.0f} MB, "
          f"exit {result.returncode}. {summary}")  # fmt: skip


def main():
    sys.stdout.reconfigure(line_buffering=True)
    server.wrk()  # say now, not after loading the data, if the load tool is missing
    os.environ.update(PRODUCTION)
    os.environ.pop("CACHE_URL", None)  # uncached mode: each worker's own local memory
    # The whole logs' files of this run only, so that the first downloads stream.
    os.environ["DOWNLOADS_DIR"] = tempfile.mkdtemp(prefix="bench-downloads-")
    print_machine()
    create_database()
    progress("migrating")
    manage("migrate", "--noinput", "-v0")
    progress("collecting static files (DEBUG off serves the manifest's names)")
    manage("collectstatic", "--noinput", "-v0")
    django.setup()
    import targets  # needs the apps loaded

    load = load_data_if_missing()
    downloads = targets.download_urls()
    print_data(load, downloads)
    progress("finding the URLs (following 50 next links on the lists)")
    client = targets.client()
    urls = targets.bench_urls(client)
    if missing := targets.unbenchmarked(urls):
        print(f"- Public URL names not benchmarked: {', '.join(missing)}")
    urls = [urls[0], *(url for url in urls[1:] if ONLY.search(url))]
    progress("counting and explaining each URL's SQL")
    profiles = {url: targets.profile(client, url) for url in urls}
    print_plans(profiles)
    try:
        for mode in MODES:
            stats, fetched, built = run_mode(mode, urls, downloads, targets.BUILT_AHEAD)
            print_table(mode, stats, profiles)
            if fetched:
                print_downloads(fetched, built)
    except server.ServerFailed as error:
        sys.exit(f"bench: gunicorn did not start:\n{error}")
    progress("importing the police-violence export (dry run)")
    print_import(measure("import_police_violence", str(MPV_EXPORT), "--dry-run", "--no-progress"))


if __name__ == "__main__":
    main()
