"""The Activity Log tab's filters: event type, compliance only, user, date range.

Dates are days in the viewer's time zone (the view activates it). Every filter keeps the
contact's keyset query on an index: a date range becomes an id range, because ids and
times grow together (events are stamped inside the chain's lock). The id range alone is
the filter: with `occurred_at` in the same query PostgreSQL's planner takes the two ranges
for independent, expects a handful of rows and reads the whole period on the `occurred_at`
index (a bitmap AND, then a sort) instead of the contact's (contact_id, id) index.
"""

import datetime
import functools

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from activity.models import ActivityEvent, EventType
from contacts.form_renderer import RENDERER

SYSTEM_ACTOR = "system"


def _user_choices():
    users = get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")
    # Tuples, not users: the names as User.get_full_name() writes them, else the username.
    choices = [
        (str(pk), f"{first_name} {last_name}".strip() or username)
        for pk, first_name, last_name, username in users.values_list("pk", "first_name", "last_name", "username")[:500]
    ]
    return [(SYSTEM_ACTOR, "System, portal and imports (no staff user)"), *choices]


def start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), timezone.get_current_timezone())


def first_event_id_at_or_after(moment: datetime.datetime) -> int | None:
    return (
        ActivityEvent.objects.filter(occurred_at__gte=moment)
        .order_by("occurred_at", "id")  # ties (bulk-written events) resolve to the lowest id
        .values_list("id", flat=True)
        .first()
    )


def last_event_id_before(moment: datetime.datetime) -> int | None:
    return (
        ActivityEvent.objects.filter(occurred_at__lt=moment)
        .order_by("-occurred_at", "-id")
        .values_list("id", flat=True)
        .first()
    )


# Events about the firm, never about one contact: not offered on a contact's Activity tab.
FIRM_EVENT_TYPES = {EventType.SETTINGS}


class ActivityFilterForm(forms.Form):
    """The filter form: rendered on every view of the tab, so its widgets are written in Python."""

    default_renderer = RENDERER


class ActivityFilter(django_filters.FilterSet):
    event_type = django_filters.ChoiceFilter(
        choices=[(value, label) for value, label in EventType.choices if value not in FIRM_EVENT_TYPES],
        label="Event type",
        empty_label="All types",
    )
    compliance = django_filters.BooleanFilter(
        field_name="is_compliance",
        method="filter_compliance",
        label="Compliance events only",
        widget=forms.CheckboxInput,
    )
    user = django_filters.ChoiceFilter(label="User", method="filter_user", empty_label="Everyone")
    date_from = django_filters.DateFilter(
        label="From", method="filter_date_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label="To", method="filter_date_to", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = ActivityEvent
        fields = ["event_type", "compliance", "user", "date_from", "date_to"]
        form = ActivityFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read when the form first needs them, once: validating a chosen user and drawing the
        # list would each read them again.
        self.filters["user"].extra["choices"] = functools.cache(_user_choices)
        self._bounds = {}

    def filter_compliance(self, queryset, name, value):
        return queryset.filter(is_compliance__in=[True]) if value else queryset  # IN: SQLite then uses the index

    def filter_user(self, queryset, name, value):
        if value == SYSTEM_ACTOR:
            return queryset.filter(actor_user__isnull=True)
        return queryset.filter(actor_user_id=int(value))

    def _bound(self, key, compute):
        # Computed once per request, however many merged contacts the tab reads.
        if key not in self._bounds:
            self._bounds[key] = compute()
        return self._bounds[key]

    def filter_date_from(self, queryset, name, value):
        start = start_of_day(value)
        low = self._bound("low", lambda: first_event_id_at_or_after(start))
        if low is None:
            return queryset.none()
        return queryset.filter(id__gte=low)

    def filter_date_to(self, queryset, name, value):
        end = start_of_day(value + datetime.timedelta(days=1))
        high = self._bound("high", lambda: last_event_id_before(end))
        if high is None:
            return queryset.none()
        return queryset.filter(id__lte=high)

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.form.cleaned_data.get(name) for name in self.filters)

    def clean_querystring(self) -> str:
        """The valid filters as a query string, for pagination links and the report."""
        from django.http import QueryDict

        query = QueryDict(mutable=True)
        if self.is_bound and self.is_valid():
            for name, value in self.form.cleaned_data.items():
                if value in (None, "", False):
                    continue
                query[name] = (
                    value.isoformat() if isinstance(value, datetime.date) else ("on" if value is True else value)
                )
        return query.urlencode()
