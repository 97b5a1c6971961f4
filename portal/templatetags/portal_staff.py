"""The contact profile's portal thread with its reply box."""

from django import template

from cases.models import Message

register = template.Library()


@register.inclusion_tag("portal/share/contact_messages.html", takes_context=True)
def portal_contact_messages(context, contact):
    """The contact's portal thread on the profile, with a reply box."""
    newest = (
        Message.objects.filter(contact=contact, channel="portal")
        .select_related("case")
        .order_by("-sent_at", "-id")[:10]
    )
    thread = list(reversed(list(newest)))
    reply_case_id = next((m.case_id for m in reversed(thread) if m.case_id), None)
    if reply_case_id is None:
        reply_case_id = contact.case_links.order_by("-case_id").values_list("case_id", flat=True).first()
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "contact": contact,
        "thread": thread,
        "reply_case_id": reply_case_id,
    }
