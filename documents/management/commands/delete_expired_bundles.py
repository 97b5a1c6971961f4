from django.core.management.base import BaseCommand

from documents.services import delete_expired_bundles


class Command(BaseCommand):
    help = "Delete the zips of Download All bundles past their 24-hour expiry."

    def handle(self, *args, **options):
        count = delete_expired_bundles()
        self.stdout.write(f"Deleted {count} expired bundle(s).")
