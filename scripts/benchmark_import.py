"""Time import_police_violence on a generated export, against the configured database.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
       .venv/bin/python scripts/benchmark_import.py [ROWS]

Writes a CSV of ROWS rows (default 15,000) in the newer header style, imports it twice (a fresh
import, then a re-import with every tenth row changed) inside a transaction that is rolled back,
and prints the timings. The database is left as it was; it must be migrated.
"""

import csv
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pledge_tracker.settings")
django.setup()

from django.db import connection, transaction  # noqa: E402

from cities.police_violence import import_police_violence  # noqa: E402

HEADER = ["name", "age", "gender", "race", "date", "city", "state", "agency_responsible",
          "cause_of_death", "allegedly_armed", "mpv_id"]  # fmt: skip
PLACES = [("Minneapolis", "MN"), ("St. Louis", "MO"), ("Chicago", "IL"), ("Smallville", "KS")]
RACES = ["Black", "White", "Hispanic", "Asian", "Native American", "Unknown race"]


def write_export(path, rows, changed_every=0):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(rows):
            city, state = PLACES[n % len(PLACES)]
            age = 20 + n % 50 + (1 if changed_every and n % changed_every == 0 else 0)
            when = date(2013, 1, 1) + timedelta(days=n % 4000)
            writer.writerow([f"Person {n}", age, "Male", RACES[n % len(RACES)], when.isoformat(),
                             city, state, f"{city} Police Department", "Gunshot",
                             "Allegedly armed", f"BENCH-{n}"])  # fmt: skip


class Rollback(Exception):
    pass


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 15_000
    with tempfile.TemporaryDirectory() as folder:
        first, second = Path(folder) / "first.csv", Path(folder) / "second.csv"
        write_export(first, rows)
        write_export(second, rows, changed_every=10)
        print(f"database: {connection.vendor}, rows: {rows}")
        try:
            with transaction.atomic():
                for label, path in (("fresh import", first), ("re-import", second)):
                    started = time.perf_counter()
                    summary = import_police_violence(path)
                    elapsed = time.perf_counter() - started
                    rate = rows / elapsed
                    print(
                        f"{label}: {elapsed:.2f} s ({rate:,.0f} rows/s); "
                        f"created {summary.created}, updated {summary.updated}, "
                        f"unchanged {summary.unchanged}, unmatched {summary.unmatched}"
                    )
                raise Rollback
        except Rollback:
            print("rolled back: the database is unchanged")


if __name__ == "__main__":
    main()
