"""The contacts table's rows, cell by cell: the HTML a list row has always had (the rows are
built in Python for speed, so this pins the output the template used to produce)."""

import datetime
import re

import pytest
from django.test import SimpleTestCase
from django.urls import reverse
from freezegun import freeze_time

from cases.tests.factories import CaseContactFactory, CaseFactory
from contacts.tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory

pytestmark = pytest.mark.django_db
NOW = "2026-11-25 20:00:00"  # UTC: 15:00 in New York (the firm), 10:00 in Honolulu


@pytest.fixture
def contacts():
    """Every kind of cell: escaping, phones in and out of the firm's country, 0-3 cases, badges."""
    ana = ContactFactory(
        first_name="Ana <b>",
        last_name="O'Brien & Co",
        external_id="EXT-1&2",
        timezone="Pacific/Kiritimati",
        calling_window_start=datetime.time(0, 0),
        calling_window_end=datetime.time(0, 1),
        sentiment_label="negative",
        preferred_contact_method="sms",
        do_not_call=True,
        do_not_email=True,
        web_last_login_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC),
        mobile_last_login_at=datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC),
    )
    ContactPhoneFactory(contact=ana, number="+13125550142")
    ContactPhoneFactory(contact=ana, number="+13125550199", is_primary=False)
    ContactEmailFactory(contact=ana, email="ana@example.com")
    for number, opened in [("PI-0000001", "2026-01-05"), ("PI-0000003", "2026-03-05"), ("PI-0000002", "2026-02-05")]:
        CaseContactFactory(contact=ana, case=CaseFactory(number=number, opened_on=opened))
    bo = ContactFactory(
        first_name="Bo",
        last_name="Brit",
        timezone="",
        sentiment_label="positive",
        web_last_login_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC),
    )
    ContactPhoneFactory(contact=bo, number="+442079460958")
    for number, opened in [("EM-0000010", "2025-01-05"), ("EM-0000011", "2025-02-05")]:
        CaseContactFactory(contact=bo, case=CaseFactory(number=number, opened_on=opened, practice_area="employment"))
    cy = ContactFactory(first_name="Cy", last_name="Calm", timezone="Pacific/Honolulu", do_not_text=True)
    cy.last_activity_at = datetime.datetime(2026, 11, 25, 3, 30, tzinfo=datetime.UTC)  # Nov 24 in New York
    cy.save()
    CaseContactFactory(contact=cy, case=CaseFactory(number="PI-0000099", opened_on="2024-05-05"))
    return {"ana": ana, "bo": bo, "cy": cy}


def assert_html_equal(actual: str, expected: str) -> None:
    case = SimpleTestCase()
    case.maxDiff = None
    case.assertHTMLEqual(actual, expected)


def _table(html: str) -> str:
    return re.search(r'<div class="table-scroll">.*?</table>\s*</div>', html, re.S).group(0)


def _expected(contacts, columns, caption) -> str:
    ana, bo, cy = contacts["ana"], contacts["bo"], contacts["cy"]
    case_url = {
        link.case.number: reverse("cases:detail", args=[link.case_id])
        for contact in contacts.values()
        for link in contact.case_links.all()
    }
    cells = {
        ana: {
            "phone": '<td class="nowrap"><a href="tel:+13125550142">(312) 555-0142</a></td>',
            "email": '<td class="email">ana@example.com</td>',
            "cases": f'<td class="nowrap"><a href="{case_url["PI-0000003"]}">PI-0000003</a>, '
            f'<a href="{case_url["PI-0000002"]}">PI-0000002</a> <span class="muted">+1</span></td>',
            "login_source": '<td class="nowrap"><span class="badge login-web_mobile">Web &amp; Mobile</span></td>',
            "contact_method": '<td class="wrap">Text message <span class="badge badge-danger">Do not call</span>'
            ' <span class="badge badge-danger">Do not email</span></td>',
            "sentiment": '<td><span class="badge sentiment-negative">Negative</span></td>',
            "local_time": '<td class="wrap" title="Outside calling hours: it is 10:00 for them (08:00–00:01 allowed).'
            ' (Pacific/Kiritimati)">10:00 AM<br><span class="badge badge-warn">outside calling hours</span></td>',
            "last_activity": '<td class="nowrap"><span class="muted">—</span></td>',
        },
        bo: {
            "phone": '<td class="nowrap"><a href="tel:+442079460958">+44 20 7946 0958</a></td>',
            "email": '<td class="email"><span class="muted">—</span></td>',
            "cases": f'<td class="nowrap"><a href="{case_url["EM-0000011"]}">EM-0000011</a>, '
            f'<a href="{case_url["EM-0000010"]}">EM-0000010</a></td>',
            "login_source": '<td class="nowrap"><span class="badge login-web">Web</span></td>',
            "contact_method": '<td class="wrap"><span class="muted">No preference</span></td>',
            "sentiment": '<td><span class="badge sentiment-positive">Positive</span></td>',
            "local_time": '<td class="wrap" title="Inside calling hours (08:00–21:00 their time). (Europe/London)">'
            "8:00 PM</td>",
            "last_activity": '<td class="nowrap"><span class="muted">—</span></td>',
        },
        cy: {
            "phone": '<td class="nowrap"><span class="muted">—</span></td>',
            "email": '<td class="email"><span class="muted">—</span></td>',
            "cases": f'<td class="nowrap"><a href="{case_url["PI-0000099"]}">PI-0000099</a></td>',
            "login_source": '<td class="nowrap"><span class="badge login-not_installed">Not Installed</span></td>',
            "contact_method": '<td class="wrap"><span class="muted">No preference</span>'
            ' <span class="badge badge-danger">Do not text</span></td>',
            "sentiment": '<td><span class="muted">—</span></td>',
            "local_time": '<td class="wrap" title="Inside calling hours (08:00–21:00 their time). (Pacific/Honolulu)">'
            "10:00 AM</td>",
            "last_activity": '<td class="nowrap"><time datetime="2026-11-24T22:30:00-05:00">Nov 24, 2026</time></td>',
        },
    }
    names = {
        ana: '<a href="{}">Ana &lt;b&gt; O&#x27;Brien &amp; Co</a><span class="muted small ext-id">EXT-1&amp;2</span>',
        bo: '<a href="{}">Bo Brit</a>',
        cy: '<a href="{}">Cy Calm</a>',
    }
    headers = {
        "phone": "Primary phone",
        "email": "Primary email",
        "cases": "Cases",
        "login_source": "Login source",
        "contact_method": "Preferred contact",
        "sentiment": "Sentiment",
        "local_time": "Local time",
        "last_activity": "Last activity",
    }
    rows = "".join(
        f'<tr data-contact-id="{contact.pk}"><th scope="row">'
        + names[contact].format(reverse("contacts:detail", args=[contact.pk]))
        + "</th>"
        + "".join(cells[contact][column] for column in headers if column in columns)
        + "</tr>"
        for contact in (bo, cy, ana)  # by last name
    )
    return (
        '<div class="table-scroll"><table class="data contact-table" data-row-nav>'
        f'<caption class="visually-hidden">{caption}</caption><thead><tr><th scope="col">Name</th>'
        + "".join(f'<th scope="col">{label}</th>' for column, label in headers.items() if column in columns)
        + f"</tr></thead><tbody>{rows}</tbody></table></div>"
    )


def test_the_contacts_list_rows_show_every_cell_as_before(client, staff, contacts):
    with freeze_time(NOW):
        html = client.get(reverse("contacts:list")).content.decode()
    expected = _expected(contacts, list(headers_all()), 'Contacts: <span class="result-count">3 contacts</span>')
    assert_html_equal(_table(html), expected)


def test_the_htmx_results_have_the_same_rows(client, staff, contacts):
    with freeze_time(NOW):
        html = client.get(reverse("contacts:list"), headers={"HX-Request": "true"}).content.decode()
    expected = _expected(contacts, list(headers_all()), 'Contacts: <span class="result-count">3 contacts</span>')
    assert_html_equal(_table(html), expected)


def test_the_case_modal_rows_show_its_columns_only(client, staff, contacts):
    case = contacts["ana"].case_links.get(case__number="PI-0000001").case
    for contact in ("bo", "cy"):
        CaseContactFactory(contact=contacts[contact], case=case)
    with freeze_time(NOW):
        html = client.get(reverse("cases:contacts", args=[case.pk]), headers={"HX-Request": "true"}).content.decode()
    columns = ["phone", "email", "login_source", "contact_method", "local_time"]
    expected = _expected(contacts, columns, 'Contacts: <span class="result-count">3 contacts</span>')
    assert_html_equal(_table(html), expected)


def test_chosen_columns_leave_the_others_out(client, staff, contacts):
    client.post(reverse("contacts:columns"), {"list": "contacts", "columns": ["cases", "last_activity"]})
    with freeze_time(NOW):
        html = client.get(reverse("contacts:list")).content.decode()
    expected = _expected(contacts, ["cases", "last_activity"], 'Contacts: <span class="result-count">3 contacts</span>')
    assert_html_equal(_table(html), expected)


def headers_all():
    return ["phone", "email", "cases", "login_source", "contact_method", "sentiment", "local_time", "last_activity"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=%3Cb%3E%22O%27Brien%22+%26+co&login_source=web_mobile&sentiment=negative&callable_now=on",
        "practice_area=employment&do_not_contact=any&created_after=2026-01-02&import_batch=7&case=PI-1",
        "created_after=not-a-date&import_batch=x&practice_area=bogus&login_source=bogus",
    ],
)
def test_the_filter_forms_python_widgets_match_djangos_templates(query):
    """contacts/form_renderer.py writes the filter form's inputs, selects and labels in Python:
    the same HTML as Django's widget templates, field by field."""
    from django.forms.renderers import DjangoTemplates
    from django.http import QueryDict

    from contacts.filters import ContactFilter
    from contacts.models import Contact

    def rendered(renderer):
        filterset = ContactFilter(QueryDict(query), queryset=Contact.objects.all())
        filterset.is_valid()
        form = filterset.form
        if renderer is not None:
            form.renderer = renderer
        return [(str(field.label_tag()), str(field), str(field.errors)) for field in form]

    fast, templates = rendered(None), rendered(DjangoTemplates())
    assert fast == templates
    assert any("<select" in widget for _label, widget, _errors in fast)
