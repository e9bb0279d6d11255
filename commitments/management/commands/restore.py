"""Load a backup into a new, empty database (`make restore FILE=…`)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from commitments import backup


class Command(BaseCommand):
    help = "Restore FILE (made by `backup`) into the configured database, which must be empty."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        if not file.is_file():
            raise CommandError(f"No backup at {file}.")
        try:
            backup.restore(connection, file)
        except backup.NotEmpty as error:
            raise CommandError(str(error)) from error
        except backup.ToolFailed as error:
            raise CommandError(f"pg_restore failed: {error.stderr.strip()}") from error
        self.stdout.write(self.style.SUCCESS(f"Restored {file} into {connection.vendor}."))
