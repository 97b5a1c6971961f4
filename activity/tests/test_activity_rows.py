"""The Activity tab's rows and filter forms are written in Python: the same HTML as the
templates they replaced."""

from zoneinfo import ZoneInfo

import pytest
from django.forms.renderers import DjangoTemplates
from django.http import QueryDict
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from activity.filters import ActivityFilter
from activity.rows import event_row, rows_html
from activity.selectors import activity_page
from activity.services import record_contact_change, record_data_access, record_event
from activity.views import ReportForm
from contacts.tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

# The row loop of activity/partials/activity_results.html before the rows moved to Python.
TEMPLATE_ROWS = (
    "{% for row in rows %}\n"
    '    <tr class="event{% if row.is_compliance %} event-compliance{% endif %}{% if row.merged_from %}'
    ' event-merged{% endif %}" id="event-{{ row.pk }}">\n'
    '      <td class="event-type"><span class="event-label{% if row.is_compliance %} badge badge-compliance'
    '{% endif %}">{{ row.label }}</span>{% if row.merged_from %}<span class="badge badge-merged" title="Recorded'
    ' on contact #{{ row.merged_from }} before it was merged into this one">From merged record'
    " #{{ row.merged_from }}</span>{% endif %}</td>\n"
    '      <td class="event-description"><details><summary>{{ row.description }}{% if row.tally_count > 1 %}'
    ' <span class="badge">×{{ row.tally_count }}</span>{% endif %}</summary>\n'
    '        <dl class="event-details">\n'
    '          {% if row.changes %}<dt>Changes</dt><dd><table class="changes"><thead><tr><th scope="col">Field</th>'
    '<th scope="col">Before</th><th scope="col">After</th></tr></thead><tbody>{% for key, before, after in'
    ' row.changes %}<tr><th scope="row">{{ key }}</th><td>{{ before }}</td><td>{{ after }}</td></tr>{% endfor %}'
    "</tbody></table></dd>{% endif %}\n"
    "          {% for term, text in row.details %}<dt>{{ term }}</dt><dd>{{ text }}</dd>{% endfor %}\n"
    "          <dt>Event</dt><dd>#{{ row.pk }} · hash <code>{{ row.hash_prefix }}…</code></dd>\n"
    "        </dl></details></td>\n"
    '      <td class="event-actor">{{ row.actor }}</td>\n'
    '      <td class="event-time"><time datetime="{{ row.time_iso }}" title="{{ row.time_title }}">'
    "{{ row.time_text }}</time></td>\n"
    "    </tr>\n"
    "    {% endfor %}"
)


def test_the_rows_are_the_templates_rows_byte_for_byte():
    survivor, merged = ContactFactory(), ContactFactory()
    user = UserFactory(first_name="<Zoë>", last_name="O'Brien & co")
    tricky = '<b>"O\'Brien" & co</b>'
    record_event(event_type="note", description=tricky, contact_id=survivor.pk, user=user, case_id=12)
    record_event(event_type="message", description="Sent", contact_id=merged.pk, actor_label=tricky)
    record_contact_change(
        contact=survivor,
        before={"city": "<Austin>", "do_not_call": False, "phone:mobile": None},
        after={"city": "Dallas & co", "do_not_call": True, "phone:mobile": "+13125550100"},
        actor=user,
    )
    request = RequestFactory().get("/x/?a=<b>", HTTP_USER_AGENT=tricky, REMOTE_ADDR="10.0.0.7")
    record_data_access(contact=survivor, actor=user, what=tricky, request=request)
    record_data_access(contact=survivor, actor=user, what=tricky, request=request)  # tally ×2
    record_event(
        event_type="dnc_check",
        is_compliance=True,
        description="Checked",
        contact_id=survivor.pk,
        data={"via": "on demand", "checked": [{"list": "internal"}], "result": "not listed", "number": "+1312"},
    )
    with timezone.override(ZoneInfo("Asia/Kolkata")):
        page = activity_page(contact_ids=[survivor.pk, merged.pk])
        rows = [event_row(event, merged_ids={merged.pk}) for event in page.events]
        expected = Template(TEMPLATE_ROWS).render(Context({"rows": rows}))
    assert len(rows) == 6
    assert str(rows_html(rows)) == expected
    assert "From merged record" in expected and "×2" in expected and "&lt;b&gt;" in expected


def _widgets(form, renderer=None):
    if renderer is not None:
        form.renderer = renderer
    return [(field.id_for_label, str(field), str(field.errors)) for field in form]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "event_type=note&compliance=on&user=system&date_from=2026-01-02&date_to=2026-02-03",
        "event_type=bogus&user=999999&date_from=not-a-date",
    ],
)
def test_the_filter_forms_python_widgets_match_djangos_templates(query):
    UserFactory(first_name='"Pat" <Lee>')
    fast = ActivityFilter(QueryDict(query))
    fast.is_valid()
    templates = ActivityFilter(QueryDict(query))
    templates.is_valid()
    assert _widgets(fast.form) == _widgets(templates.form, DjangoTemplates())
    assert any("<select" in widget for _id, widget, _errors in _widgets(fast.form))


def test_the_report_forms_python_widgets_match_djangos_templates():
    def form():
        return ReportForm(initial={"date_from": "2026-01-01", "date_to": "2026-12-31"}, auto_id="report_%s")

    assert _widgets(form()) == _widgets(form(), DjangoTemplates())
