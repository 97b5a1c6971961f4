import time

from django.core.management.base import BaseCommand

from cases import demo
from contacts.models import Contact


class Command(BaseCommand):
    help = "Fill the database with realistic, deterministic demo data (bulk inserts)."

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=2000, help="How many contacts (default 2000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when contacts already exist.")
        parser.add_argument(
            "--scan-duplicates",
            action="store_true",
            help="Afterwards, queue a full duplicate scan for the worker (fills the Duplicates page).",
        )

    def handle(self, *args, contacts, seed: int, if_empty: bool, scan_duplicates: bool, **options):
        if if_empty and Contact.objects.exists():
            self.stdout.write("Demo data already present; nothing to do.")
            return
        started = time.perf_counter()

        def progress(done):
            if done % 50000 == 0 or done == contacts:
                self.stdout.write(f"  {done:,} contacts ({time.perf_counter() - started:.1f} s)")

        report = demo.seed(contacts=contacts, seed=seed, progress=progress)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {report.contacts:,} contacts ({report.duplicates:,} planted duplicates), "
                f"{report.cases:,} cases, {report.tasks:,} tasks in {elapsed:.1f} s."
            )
        )
        self.stdout.write(
            f"Demo logins: admin / {demo.DEMO_PASSWORD} (Admin), paralegal / {demo.DEMO_PASSWORD} (Staff)"
        )
        if scan_duplicates:
            self._queue_duplicate_scan()

    def _queue_duplicate_scan(self):
        # The seed writes with bulk inserts, which skip the signals that keep the queue fresh.
        from contacts.models import DuplicateScan
        from contacts.tasks import scan_duplicates_task

        scan = DuplicateScan.objects.create()
        scan_duplicates_task.delay(scan.pk)
        self.stdout.write("Queued a duplicate scan: the Duplicates page fills once the worker has run it.")
