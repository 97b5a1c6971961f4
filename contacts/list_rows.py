"""The contacts table's rows (the Contacts list and a case's Contacts modal), built in Python.

The template language cost about 1.2 ms per row of eight cells (every lookup, filter and tag
resolved again for each of the 25 rows); these rows come out the same, byte for byte, in about
0.15 ms. What stays the same for a table (the URL patterns, the columns, the cell of each Login
Source, sentiment or contact-method combination, each local time and month name) is worked out
once per table, not once per row. contacts/tests/test_list_rows.py pins the HTML.
"""

import datetime
import functools
from html import escape

from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import time as time_filter
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone, is_naive
from django.utils.translation import get_language

from contacts.templatetags.contact_format import contact_method, phone

# The table's optional columns in the order of its header (contact_table.html).
COLUMN_ORDER = ("phone", "email", "cases", "login_source", "contact_method", "sentiment", "local_time", "last_activity")
# Any id: reversed once, then each row's id is put in its place.
_PLACEHOLDER_ID = 987654321
_DASH = '<span class="muted">—</span>'
_CELL_SEPARATOR = "\n      "


def _url_pattern(name: str) -> tuple[str, str]:
    """(before, after) the id in the URL of `name` (the script prefix of this request included)."""
    url = reverse(name, args=[_PLACEHOLDER_ID])
    before, _, after = url.partition(str(_PLACEHOLDER_ID))
    return before, after


class _Table:
    """What a table renders for one page of contacts: the per-request invariants, then one
    method per cell."""

    def __init__(self, columns):
        self.contact_url = _url_pattern("contacts:detail")
        self.case_url = _url_pattern("cases:detail")
        # The template's dates are in the viewer's (the active) time zone.
        self.zone = get_current_timezone() if settings.USE_TZ else None
        self._login_sources, self._contact_methods, self._sentiments, self._local_times, self._months = (
            {},
            {},
            {},
            {},
            {},
        )
        chosen = set(columns)
        self.cells = [getattr(self, column) if column in chosen else None for column in COLUMN_ORDER]

    def render(self, contact) -> str:
        before, after = self.contact_url
        parts = [
            f'\n    <tr data-contact-id="{contact.pk}">\n      <th scope="row"><a href="{before}{contact.pk}{after}">'
            f"{escape(contact.display_name)}</a>"
        ]
        if contact.external_id:
            parts.append(f'<span class="muted small ext-id">{escape(contact.external_id)}</span>')
        parts.append("</th>")
        for cell in self.cells:
            parts.append(_CELL_SEPARATOR)
            if cell is not None:
                parts.append(cell(contact))
        parts.append("\n    </tr>\n  ")
        return "".join(parts)

    @staticmethod
    def phone(contact) -> str:
        number = contact.primary_phone_number
        if number is None:
            return f'<td class="nowrap">{_DASH}</td>'
        return f'<td class="nowrap"><a href="tel:{escape(number)}">{escape(phone(number))}</a></td>'

    @staticmethod
    def email(contact) -> str:
        email = contact.primary_email_address
        if email is None:
            return f'<td class="email">{_DASH}</td>'
        return f'<td class="email">{escape(email)}</td>'

    def cases(self, contact) -> str:
        cases = contact.case_numbers
        if not cases:
            return f'<td class="nowrap">{_DASH}</td>'
        before, after = self.case_url
        shown = ", ".join(f'<a href="{before}{case_id}{after}">{escape(number)}</a>' for case_id, number in cases[:2])
        more = f' <span class="muted">+{len(cases) - 2}</span>' if len(cases) > 2 else ""
        return f'<td class="nowrap">{shown}{more}</td>'

    @staticmethod
    def _badge(cache: dict, td: str, kind: str, value: str, label) -> str:
        """A cell holding one badge that depends on `value` only: rendered once a table."""
        cell = cache.get(value)
        if cell is None:
            cell = cache[value] = f'{td}<span class="badge {kind}-{escape(value)}">{escape(str(label()))}</span></td>'
        return cell

    def login_source(self, contact) -> str:
        value = contact.login_source
        return self._badge(self._login_sources, '<td class="nowrap">', "login", value, contact.get_login_source_display)

    def contact_method(self, contact) -> str:
        # The cell depends on these four fields only: each combination is rendered once a table.
        key = (contact.preferred_contact_method, contact.do_not_call, contact.do_not_text, contact.do_not_email)
        cell = self._contact_methods.get(key)
        if cell is None:
            cell = self._contact_methods[key] = f'<td class="wrap">{contact_method(contact)}</td>'
        return cell

    def sentiment(self, contact) -> str:
        value = contact.sentiment_label
        if not value:
            return f"<td>{_DASH}</td>"
        return self._badge(self._sentiments, "<td>", "sentiment", value, contact.get_sentiment_label_display)

    def local_time(self, contact) -> str:
        calling = contact.calling
        local = calling.local_time
        # The cell depends on these alone: contacts of one zone and window share it (a page has
        # a handful of zones).
        key = (
            local.hour,
            local.minute,
            calling.allowed,
            calling.window_start,
            calling.window_end,
            calling.timezone_name,
        )
        cell = self._local_times.get(key)
        if cell is None:
            # The contact's own clock, not converted to the viewer's time zone.
            shown = _clock(get_language(), local.hour, local.minute)
            warning = "" if calling.allowed else '<br><span class="badge badge-warn">outside calling hours</span>'
            title = f"{escape(calling.reason)} ({escape(calling.timezone_name)})"
            cell = self._local_times[key] = f'<td class="wrap" title="{title}">{shown}{warning}</td>'
        return cell

    def last_activity(self, contact) -> str:
        when = contact.last_activity_at
        if not when:
            return f'<td class="nowrap">{_DASH}</td>'
        # What the date filter shows in the viewer's time zone: "c" is the ISO format, and
        # "M j, Y" the month's abbreviation (translated), day and year.
        if self.zone is not None and not is_naive(when):
            when = when.astimezone(self.zone)
        month = self._months.get(when.month)
        if month is None:
            month = self._months[when.month] = _month(get_language(), when.month)
        return (
            f'<td class="nowrap"><time datetime="{escape(when.isoformat())}">'
            f"{month} {when.day}, {when.year:04d}</time></td>"
        )


# Formatted once per process and language (the formatting reads the active translation on each
# call): "g:i A" reads the hour and minute only, "M" the month only.
@functools.lru_cache(maxsize=4096)
def _clock(language: str | None, hour: int, minute: int) -> str:
    return escape(time_filter(datetime.time(hour, minute), "g:i A"))


@functools.lru_cache(maxsize=1024)
def _month(language: str | None, month: int) -> str:
    return escape(date_filter(datetime.date(2000, month, 1), "M"))


def contact_rows(contacts, columns) -> SafeString:
    """The <tr> of each contact (with selectors.add_row_columns's attributes), with the cells of
    the chosen columns."""
    table = _Table(columns)
    return mark_safe("".join(table.render(contact) for contact in contacts))  # noqa: S308 (every value escaped)
