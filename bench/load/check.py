"""After the load test: every background task ran, and ran once. Exits non-zero naming each problem.

    python bench/load/check.py [--wait 120] [--worker-log PATH ...]

Run by scripts/prod-smoke.sh with the smoke test's environment once Locust has stopped, while
the Celery workers still run. It waits for the work the users left queued to finish (a task
still unfinished then was lost), then checks from the database and the email outbox:

- each import that was run finished, with exactly as many rows, contacts, undo records and
  Import activity events as its file had rows (a chunk run twice would double them);
- each Download All bundle is ready, and exactly one zip and one "ready" email exist per bundle;
- each portal link shared was sent, with exactly one "sent" activity event and one email;
- the activity log's hash chain verifies;
- no worker logged an error.
"""

import argparse
import email
import email.policy
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[0] = str(ROOT)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kayse.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from activity.models import ActivityEvent, EventType  # noqa: E402
from contacts.models import Contact, ImportBatch, ImportedContact, ImportStatus  # noqa: E402
from documents.models import BundleStatus, DownloadBundle  # noqa: E402
from portal.models import DeliveryStatus, PortalLink  # noqa: E402

UNFINISHED_IMPORT = [ImportStatus.PREVIEWING, ImportStatus.QUEUED, ImportStatus.RUNNING]
UNFINISHED_BUNDLE = [BundleStatus.PENDING, BundleStatus.BUILDING]
LOAD_FILE = re.compile(r"^load-([0-9a-f]+)-(\d+)\.csv$")


def settle(wait: float) -> list[str]:
    """Wait for queued work to finish; what is still unfinished afterwards was lost."""
    deadline = time.monotonic() + wait
    while True:
        pending = {
            "imports": ImportBatch.objects.filter(status__in=UNFINISHED_IMPORT).count(),
            "Download All bundles": DownloadBundle.objects.filter(status__in=UNFINISHED_BUNDLE).count(),
            "portal links": PortalLink.objects.filter(delivery_status=DeliveryStatus.QUEUED).count(),
        }
        if not any(pending.values()) or time.monotonic() > deadline:
            late = [(what, count) for what, count in pending.items() if count]
            return [f"{count} {what} still unfinished after {wait:.0f} s (lost?)" for what, count in late]
        time.sleep(1)


def emails_by_subject() -> Counter:
    """Subjects of the messages Django's file backend wrote (each followed by a line of dashes)."""
    subjects = Counter()
    for path in Path(settings.EMAIL_FILE_PATH).glob("*.log"):
        for text in path.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
            if text.strip():
                message = email.message_from_string(text.lstrip("\n"), policy=email.policy.default)
                subjects[str(message["Subject"])] += 1
    return subjects


def check_imports() -> tuple[list[str], int]:
    problems, checked = [], 0
    for batch in ImportBatch.objects.filter(original_name__startswith="load-").order_by("id"):
        if batch.status in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED):
            continue  # the load stopped before this one was run
        match = LOAD_FILE.match(batch.original_name)
        key, rows = match.group(1), int(match.group(2))
        found = {
            "status": batch.status,
            "rows_done": batch.rows_done,
            "new": batch.new_count,
            "contacts": Contact.objects.filter(external_id__startswith=f"LOAD-{key}-").count(),
            "undo records": ImportedContact.objects.filter(batch=batch).count(),
            "Import events": ActivityEvent.objects.filter(event_type=EventType.IMPORT, data__batch=batch.pk).count(),
        }
        expected = dict.fromkeys(found, rows) | {"status": ImportStatus.DONE}
        if found != expected:
            problems.append(f"import #{batch.pk} ({rows} rows): expected {expected}, found {found}")
        checked += 1
    return problems, checked


def check_bundles(emails: Counter) -> tuple[list[str], int]:
    problems = []
    bundles = list(DownloadBundle.objects.select_related("contact"))
    for bundle in bundles:
        if bundle.status != BundleStatus.READY:
            problems.append(f"Download All #{bundle.pk} is {bundle.status}: {bundle.error}")
    ready = [bundle for bundle in bundles if bundle.status == BundleStatus.READY]
    zips = list((Path(settings.PRIVATE_STORAGE_ROOT) / "bundles").glob("*.zip"))
    if len(zips) != len(ready):
        problems.append(f"{len(ready)} Download All bundles ready but {len(zips)} zips written (built twice?)")
    ready_emails = sum(count for subject, count in emails.items() if subject.endswith("are ready to download"))
    if ready_emails != len(ready):
        problems.append(f"{len(ready)} Download All bundles ready but {ready_emails} 'ready' emails sent")
    return problems, len(bundles)


def check_portal_links(emails: Counter) -> tuple[list[str], int]:
    problems = []
    links = list(PortalLink.objects.all())
    sent_events = Counter(
        ActivityEvent.objects.filter(
            event_type=EventType.PORTAL_LINK, description__startswith="Portal link sent"
        ).values_list("data__link", flat=True)
    )
    for link in links:
        if link.delivery_status != DeliveryStatus.SENT:
            problems.append(f"portal link #{link.pk} was not sent: {link.delivery_status} {link.delivery_error}")
        elif sent_events[link.pk] != 1:
            problems.append(f"portal link #{link.pk} has {sent_events[link.pk]} 'sent' events, not 1")
    sent = sum(1 for link in links if link.delivery_status == DeliveryStatus.SENT)
    link_emails = sum(count for subject, count in emails.items() if subject.startswith("Your secure link from"))
    if link_emails != sent:
        problems.append(f"{sent} portal links sent but {link_emails} link emails in the outbox")
    return problems, len(links)


def check_worker_logs(paths: list[str]) -> list[str]:
    problems = []
    for path in paths:
        for line in Path(path).read_text(errors="replace").splitlines():
            if " ERROR/" in line or "Traceback" in line:
                problems.append(f"{path}: {line.strip()[:200]}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wait", type=float, default=120, help="seconds to wait for queued work")
    parser.add_argument("--worker-log", action="append", default=[], help="a Celery worker's log to scan")
    args = parser.parse_args()

    problems = settle(args.wait)
    emails = emails_by_subject()
    import_problems, imports = check_imports()
    bundle_problems, bundles = check_bundles(emails)
    link_problems, links = check_portal_links(emails)
    problems += import_problems + bundle_problems + link_problems + check_worker_logs(args.worker_log)
    try:
        call_command("verify_activity_log", stdout=open(os.devnull, "w"))  # noqa: SIM115
    except Exception as error:  # CommandError, or anything that stops the check itself
        problems.append(f"verify_activity_log: {error}")
    print(
        f"check: {imports} imports run, {bundles} Download All bundles, {links} portal links; "
        f"{ActivityEvent.objects.count():,} activity events verified"
    )
    for problem in problems:
        print(f"check: PROBLEM: {problem}")
    if problems:
        sys.exit(1)
    print("check: every task ran exactly once")


if __name__ == "__main__":
    main()
