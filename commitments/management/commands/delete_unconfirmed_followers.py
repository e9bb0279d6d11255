"""Delete followers who did not confirm their address within a week (also run by send_digests)."""

from django.core.management.base import BaseCommand

from commitments.following import delete_unconfirmed


class Command(BaseCommand):
    help = "Delete follower addresses never confirmed within a week."

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {delete_unconfirmed()} unconfirmed followers.")
