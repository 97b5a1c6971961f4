"""The contacts FilterSet: one definition shared by the list, the case modal and exports."""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from contacts.calling_window import callable_now_q
from contacts.form_renderer import RENDERER
from contacts.login_source import FILTER_CHOICES, filter_by_login_source
from contacts.models import Contact, ImportedContact, Sentiment
from contacts.selectors import case_contact_model, case_model, search_contacts, time_zones_in_use

DO_NOT_CONTACT_CHOICES = [
    ("call", "Do not call"),
    ("text", "Do not text"),
    ("email", "Do not email"),
    ("any", "Any do-not-contact flag"),
    ("none", "No do-not-contact flag"),
]
SENTIMENT_CHOICES = [*[(value, label) for value, label in Sentiment.choices if value], ("unknown", "Unknown")]


def _practice_area_choices():
    return case_model()._meta.get_field("practice_area").choices


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the firm, so "created between" means the firm's calendar days."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class LoginSourceRadios(forms.RadioSelect):
    """The Login Source control: a row of buttons (radios styled as a segmented control)."""

    template_name = "contacts/widgets/login_source.html"


class ContactFilterForm(forms.Form):
    """The filter form: rendered on every Contacts page, so its widgets are written in Python."""

    default_renderer = RENDERER


class ContactFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label="Search",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Name, phone, email, external id or case number",
                "data-search": "",
                "autocomplete": "off",
            }
        ),
    )
    login_source = django_filters.ChoiceFilter(
        choices=FILTER_CHOICES,
        method="filter_login_source",
        label="Login Source",
        empty_label=None,
        widget=LoginSourceRadios,
    )
    case = django_filters.CharFilter(
        method="filter_case", label="Case number", widget=forms.TextInput(attrs={"placeholder": "PI-0000123"})
    )
    practice_area = django_filters.ChoiceFilter(
        choices=_practice_area_choices, method="filter_practice_area", label="Practice area", empty_label="Any"
    )
    do_not_contact = django_filters.ChoiceFilter(
        choices=DO_NOT_CONTACT_CHOICES, method="filter_do_not_contact", label="Do not contact", empty_label="Any"
    )
    sentiment = django_filters.ChoiceFilter(
        choices=SENTIMENT_CHOICES, method="filter_sentiment", label="Sentiment", empty_label="Any"
    )
    created_after = django_filters.DateFilter(
        method="filter_created_after", label="Created from", widget=forms.DateInput(attrs={"type": "date"})
    )
    created_before = django_filters.DateFilter(
        method="filter_created_before", label="Created to", widget=forms.DateInput(attrs={"type": "date"})
    )
    callable_now = django_filters.BooleanFilter(
        method="filter_callable_now",
        label="Callable now",
        widget=forms.CheckboxInput,
    )
    import_batch = django_filters.NumberFilter(
        method="filter_import_batch", label="Imported in batch #", widget=forms.NumberInput(attrs={"min": 1})
    )

    class Meta:
        model = Contact
        fields = ["q", "login_source"]
        form = ContactFilterForm

    def __init__(self, data=None, *args, **kwargs):
        # No choice, or one from an old bookmark that no longer exists, means All.
        if data is not None and data.get("login_source") not in dict(FILTER_CHOICES):
            data = data.copy()
            data["login_source"] = "all"
        super().__init__(data, *args, **kwargs)

    def filter_q(self, queryset, name, value):
        return search_contacts(queryset, value)

    def filter_login_source(self, queryset, name, value):
        return filter_by_login_source(queryset, value)

    def filter_case(self, queryset, name, value):
        number = value.strip().upper()
        if not number:
            return queryset
        on_case = case_contact_model().objects.filter(case__number=number).values("contact_id")
        return queryset.filter(pk__in=on_case)

    def filter_practice_area(self, queryset, name, value):
        # EXISTS, tested row by row along the list's sort index: a practice area covers a big
        # share of contacts, so a page of matches comes quickly (an IN list would be sorted whole).
        on_area = case_contact_model().objects.filter(contact=OuterRef("pk"), case__practice_area=value)
        return queryset.filter(Exists(on_area))

    def filter_do_not_contact(self, queryset, name, value):
        if value in ("call", "text", "email"):
            return queryset.filter(**{f"do_not_{value}": True})
        if value == "any":
            return queryset.filter(Q(do_not_call=True) | Q(do_not_text=True) | Q(do_not_email=True))
        if value == "none":
            return queryset.filter(do_not_call=False, do_not_text=False, do_not_email=False)
        return queryset

    def filter_sentiment(self, queryset, name, value):
        return queryset.filter(sentiment_label="" if value == "unknown" else value)

    def filter_created_after(self, queryset, name, value):
        return queryset.filter(created_at__gte=_day_start(value))

    def filter_created_before(self, queryset, name, value):
        return queryset.filter(created_at__lt=_day_start(value + datetime.timedelta(days=1)))

    def filter_callable_now(self, queryset, name, value):
        """Inside their calling window now and not do-not-call (contacts/calling_window.py)."""
        return queryset.filter(callable_now_q(zones_in_use=time_zones_in_use())) if value else queryset

    def filter_import_batch(self, queryset, name, value):
        """Contacts the import created or changed (ImportedContact is indexed by batch)."""
        return queryset.filter(pk__in=ImportedContact.objects.filter(batch_id=value).values("contact_id"))

    @property
    def active_filter_count(self) -> int:
        """How many filters besides search and Login Source are set (shown on "More filters")."""
        if not self.is_bound or not self.form.is_valid():
            return 0
        skip = {"q", "login_source"}
        return sum(
            1 for key, value in self.form.cleaned_data.items() if key not in skip and value not in (None, "", False)
        )
