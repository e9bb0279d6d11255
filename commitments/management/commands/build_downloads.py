"""Build the whole log's CSV files for the record as it is (`commitments.downloads`): what the
background worker does after a change, for a deployment to run once it has migrated."""

import time

from django.core.management.base import BaseCommand

from commitments import downloads, open_data


class Command(BaseCommand):
    help = "Build the files of the whole updates and evidence CSVs for the current record."

    def handle(self, *args, **options):
        for name, lines in open_data.WHOLE_LOGS.items():
            started = time.perf_counter()
            path = downloads.build(name, lines)
            seconds = time.perf_counter() - started
            size = path.stat().st_size / 2**20
            self.stdout.write(f"{path.name}: {size:.1f} MB in {seconds:.1f} s")
