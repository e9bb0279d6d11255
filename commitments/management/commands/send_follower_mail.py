"""Send followers every message that is due (`commitments.following.send_due`), once each."""

import time

from django.core.management.base import BaseCommand

from commitments.following import send_due


class Command(BaseCommand):
    help = (
        "Send each follower whose message is due the approved changes not yet sent them: "
        "digests, immediate messages held back by the throttle or by a failed send. "
        "Run it every few minutes (cron), or with --every to keep running."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=int, metavar="SECONDS", help="Run again every SECONDS, until stopped."
        )

    def handle(self, *args, every=None, **options):
        if every is None:
            return self.send()  # once, as cron runs it: a failure fails the command
        while True:
            try:
                self.send()
            except Exception as error:  # the mail server, or the database, may come back
                self.stderr.write(f"Sending failed ({error}); trying again in {every} s.")
            time.sleep(every)

    def send(self):
        self.stdout.write(f"Sent {send_due()} messages to followers.")
