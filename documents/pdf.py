"""The contact profile as a PDF (WeasyPrint): summary, cases, notes and recent activity.

WeasyPrint never fetches anything: the stylesheet is read from the app's own static files
and every other URL (a link in a note, an image) is refused by the fetcher."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from activity.models import ActivityEvent
from contacts.models import Contact
from documents import selectors
from firm.selectors import firm_setting

RECENT_ACTIVITY = 50
PRINT_CSS = "css/documents_print.css"


def _refuse_fetch(url, *args, **kwargs):
    raise ValueError(f"The profile PDF loads nothing from outside ({url[:40]}).")


def contact_profile_html(*, contact: Contact) -> str:
    """The page the PDF is printed from."""
    context = {
        "contact": contact,
        "phones": list(contact.phones.order_by("-is_primary", "pk")),
        "emails": list(contact.emails.order_by("-is_primary", "pk")),
        "case_links": list(contact.case_links.select_related("case").order_by("case__number")),
        "notes": list(selectors.contact_notes(contact=contact)[:200]),
        "events": list(
            ActivityEvent.objects.filter(contact_id=contact.pk).select_related("actor_user")[:RECENT_ACTIVITY]
        ),
        "firm": firm_setting("FIRM_NAME"),
        "generated_at": timezone.localtime(),
    }
    return render_to_string("documents/profile_pdf.html", context)


def contact_profile_pdf(*, contact: Contact) -> bytes:
    from weasyprint import CSS, HTML

    html = contact_profile_html(contact=contact)
    stylesheet = CSS(string=Path(finders.find(PRINT_CSS)).read_text(), url_fetcher=_refuse_fetch)
    return HTML(string=html, url_fetcher=_refuse_fetch, base_url=None).write_pdf(stylesheets=[stylesheet])
