"""Build national-scale load data in an empty database, for the benchmark (issue 14)."""

import resource
import time

from django.core.management.base import BaseCommand, CommandError

from commitments.load_data import DEFAULT_SEED, LoadRefused, generate_load_data


class Command(BaseCommand):
    help = (
        "Fill an empty, migrated database with synthetic national-scale data: real US cities"
        " (largest first), mayors, pledges, every action rated, about 530 progress updates,"
        " 130 evidence items and 10 police-violence records per city, then the current"
        " statuses. PostgreSQL (COPY); SQLite only for a few cities. It never deletes: the log"
        " is append-only, so there is no --replace. To start again, drop the database and"
        " create it afresh: dropdb load1500 && createdb load1500, then migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cities", type=int, default=1500, help="How many cities (1500).")
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"The same seed on the same day builds the same data ({DEFAULT_SEED}).",
        )

    def handle(self, *args, cities, seed, verbosity, **options):
        if cities < 1:
            raise CommandError("--cities must be at least 1.")
        started = time.monotonic()
        try:
            counts = generate_load_data(cities, seed, show_progress=verbosity > 0)
        except LoadRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        for name, count in counts.items():
            self.stdout.write(f"{count:>10,} {name}")
        elapsed = time.monotonic() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        self.stdout.write(
            self.style.SUCCESS(f"Load data ready in {elapsed:.1f} s; peak memory {peak:.0f} MiB.")
        )
