"""Send the daily or weekly digests to followers (`commitments.following`), once each."""

from django.core.management.base import BaseCommand

from commitments.following import send_digests
from commitments.models import Frequency


class Command(BaseCommand):
    help = "Send each follower of a frequency the approved updates not yet sent them."

    def add_arguments(self, parser):
        choices = [Frequency.DAILY, Frequency.WEEKLY]
        parser.add_argument("--frequency", required=True, choices=choices)

    def handle(self, *args, frequency, **options):
        sent = send_digests(frequency)
        self.stdout.write(f"Sent {sent} {frequency} digests.")
