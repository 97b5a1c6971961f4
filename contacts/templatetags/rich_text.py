from django import template
from django.utils.safestring import mark_safe

from contacts.rich_text import sanitize_note_html

register = template.Library()


@register.filter(is_safe=True)
def sanitized_html(value) -> str:
    """A note's HTML for display: sanitized here, whatever the database holds."""
    return mark_safe(sanitize_note_html(str(value or "")))  # noqa: S308 (nh3 has just cleaned it)
