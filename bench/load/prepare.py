"""Get a seeded database ready for the load test, and write what the simulated users need.

    python bench/load/prepare.py --out fixtures.json [--links 40] [--documents 30]

Run by scripts/prod-smoke.sh after `seed_demo`, with the smoke test's environment, while its
Celery workers run: it gives some contacts documents (for Download All), shares portal links by
email through the real path (queued, delivered by a worker, the token only in the message) and
reads their tokens back from the email outbox, so the portal users have links to open. The
fixtures file lists contacts to browse, contacts with documents, case/contact pairs to share
links with, and the tokens.
"""

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[0] = str(ROOT)  # not bench/load/: the project's packages
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kayse.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402

from cases.models import CaseContact  # noqa: E402
from contacts.models import Contact, ContactEmail  # noqa: E402
from documents.services import upload_documents  # noqa: E402
from portal.models import DeliveryStatus, LinkChannel, PortalLink  # noqa: E402
from portal.services import share_link  # noqa: E402

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
TOKEN = re.compile(r"/p/([A-Za-z0-9_\-]{20,})/")


def emailable_pairs(limit: int) -> list[tuple[int, int, int]]:
    """(case id, contact id, email id) of live contacts on a case who may be emailed."""
    pairs = []
    links = CaseContact.objects.filter(
        contact__merged_into__isnull=True, contact__archived_at__isnull=True, contact__do_not_email=False
    ).order_by("id")
    for case_id, contact_id in links.values_list("case_id", "contact_id").iterator():
        email = ContactEmail.objects.filter(contact_id=contact_id, is_primary=True).values_list("id", flat=True).first()
        if email:
            pairs.append((case_id, contact_id, email))
        if len(pairs) >= limit:
            break
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--links", type=int, default=40, help="portal links to share for the portal users")
    parser.add_argument("--documents", type=int, default=30, help="contacts given two documents each")
    args = parser.parse_args()

    staff = get_user_model().objects.get(username="paralegal")
    live = Contact.objects.filter(merged_into__isnull=True, archived_at__isnull=True).order_by("id")
    browse = list(live.values_list("id", flat=True)[:2000])
    with_documents = browse[: args.documents]
    for contact in Contact.objects.filter(pk__in=with_documents):
        files = [SimpleUploadedFile(f"{name}.pdf", PDF) for name in ("retainer", "medical-records")]
        upload_documents(contact=contact, files=files, user=staff)

    pairs = emailable_pairs(args.links * 2)
    portal_pairs, share_pairs = pairs[: args.links], pairs[args.links :]
    shared = []
    for case_id, contact_id, email_id in portal_pairs:
        contact = Contact.objects.get(pk=contact_id)
        link = share_link(
            contact=contact,
            user=staff,
            channel=LinkChannel.EMAIL,
            email=ContactEmail.objects.get(pk=email_id),
            case=contact.case_links.get(case_id=case_id).case,
        )
        shared.append(link.pk)
    deadline = time.monotonic() + 120
    while PortalLink.objects.filter(pk__in=shared).exclude(delivery_status=DeliveryStatus.SENT).exists():
        if time.monotonic() > deadline:
            sys.exit("prepare: the Celery workers did not deliver the portal links within 2 minutes")
        time.sleep(0.5)
    outbox = Path(settings.EMAIL_FILE_PATH)
    tokens = sorted({match for path in outbox.glob("*.log") for match in TOKEN.findall(path.read_text())})
    if len(tokens) < len(shared):
        sys.exit(f"prepare: {len(shared)} links sent but {len(tokens)} tokens found in {outbox}")

    fixtures = {
        "contacts": browse,
        "contacts_with_documents": with_documents,
        "share": [
            {"case": case, "contact": contact, "destination": f"email:{email}"} for case, contact, email in share_pairs
        ],
        "portal_tokens": tokens,
    }
    Path(args.out).write_text(json.dumps(fixtures))
    print(
        f"prepare: {len(browse)} contacts to browse, {len(with_documents)} with documents, "
        f"{len(share_pairs)} to share links with, {len(tokens)} portal links delivered"
    )


if __name__ == "__main__":
    main()
