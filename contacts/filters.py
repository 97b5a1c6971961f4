"""The contacts FilterSet: one definition shared by the list, the case modal and exports."""

import django_filters
from django import forms

from contacts.login_source import FILTER_CHOICES, filter_by_login_source
from contacts.models import Contact, ImportedContact
from contacts.selectors import search_contacts


class ContactFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label="Search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Name, phone, email, external id", "data-search": ""}
        ),
    )
    login_source = django_filters.ChoiceFilter(
        choices=FILTER_CHOICES, method="filter_login_source", label="Login Source", empty_label=None
    )

    import_batch = django_filters.NumberFilter(
        method="filter_import_batch", label="Imported in batch #", widget=forms.NumberInput(attrs={"min": 1})
    )

    class Meta:
        model = Contact
        fields = ["q", "login_source"]

    def filter_q(self, queryset, name, value):
        return search_contacts(queryset, value)

    def filter_login_source(self, queryset, name, value):
        return filter_by_login_source(queryset, value)

    def filter_import_batch(self, queryset, name, value):
        """Contacts the import created or changed (ImportedContact is indexed by batch)."""
        return queryset.filter(pk__in=ImportedContact.objects.filter(batch_id=value).values("contact_id"))
