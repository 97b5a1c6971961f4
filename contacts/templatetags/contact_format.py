import functools

from django import template
from django.urls import get_script_prefix
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from contacts.calling_window import calling_window_status
from contacts.normalize import format_phone
from contacts.profile_header import header_phone_and_email
from kayse.fragments import cached_fragment

register = template.Library()


@register.filter
def phone(e164: str) -> str:
    """A stored E.164 number as staff read it: national format for the firm's country."""
    return _formatted(e164) if e164 else ""


@functools.lru_cache(maxsize=4096)
def _formatted(e164: str) -> str:
    # Parsing with the numbering plan costs about as much as the rest of a list row.
    return format_phone(e164)


@register.simple_tag
def contact_header(contact):
    """What the profile header shows, from the contact alone (every tab's view passes only it):
    primary phone and email (contacts/profile_header.py), and the calling-window status in the
    contact's time zone."""
    primary_phone, primary_email = header_phone_and_email(contact)
    status = calling_window_status(contact, primary_phone=primary_phone.number if primary_phone else None)
    return {"phone": primary_phone, "email": primary_email, "calling": status}


_DO_NOT = (("do_not_call", "Do not call"), ("do_not_text", "Do not text"), ("do_not_email", "Do not email"))


@register.simple_tag
def contact_method(contact):
    """The preferred contact method and the do-not-contact badges (a list row renders 25 of these)."""
    method = (
        format_html("{}", contact.get_preferred_contact_method_display())
        if contact.preferred_contact_method
        else mark_safe('<span class="muted">No preference</span>')  # noqa: S308 (a constant)
    )
    badges = format_html_join(
        "",
        ' <span class="badge badge-danger">{}</span>',
        ((label,) for field, label in _DO_NOT if getattr(contact, field)),
    )
    return format_html("{}{}", method, badges)


@register.simple_tag
def contact_rows(contacts, columns):
    """The contacts table's rows (contacts/list_rows.py: cells built in Python, not per-cell template tags)."""
    from contacts.list_rows import contact_rows as rows  # list_rows uses this module's filters

    return rows(contacts, columns)


@register.simple_tag(takes_context=True)
def contact_filter_form(context):
    """contacts/partials/filter_form.html: the same for the same query string, sort and language
    (it reads nothing else: no database, no user), so it is rendered once per process for each
    (kayse/fragments.py), not on every Contacts request (its widgets, labels and URLs cost a
    tenth of the request). A form with errors is rendered each time."""
    template_name = "contacts/partials/filter_form.html"

    def render():
        return context.template.engine.get_template(template_name).render(context)

    form = context["filter"].form
    if form.errors:
        return render()
    data = tuple((name, tuple(form.data.getlist(name))) for name in sorted(form.data))
    return cached_fragment((template_name, data, context["sort"], get_language(), get_script_prefix()), render)
