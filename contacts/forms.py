"""Forms of the contact pages: create/edit with phones and emails, linking a case, the Tasks tab."""

import datetime
from zoneinfo import available_timezones

from django import forms
from django.core.exceptions import ValidationError

from contacts.models import ChannelKind, Contact
from contacts.normalize import InvalidPhone, normalize_email, normalize_phone
from contacts.selectors import case_contact_model, case_model
from contacts.services import EDITABLE_FIELDS

confirm_duplicate_field = "confirm_not_duplicate"

# US zones first (most of the firm's contacts), then every other IANA zone.
US_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
]


def timezone_choices():
    others = sorted(zone for zone in available_timezones() if "/" in zone and zone not in US_ZONES)
    return [
        ("", "Suggest from the phone number or ZIP code"),
        ("United States", [(zone, zone.replace("_", " ")) for zone in US_ZONES]),
        ("Everywhere else", [(zone, zone.replace("_", " ")) for zone in others]),
    ]


LANGUAGE_CHOICES = [
    ("en", "English"),
    ("es", "Spanish"),
    ("vi", "Vietnamese"),
    ("zh", "Chinese"),
    ("ko", "Korean"),
    ("tl", "Tagalog"),
    ("ar", "Arabic"),
    ("fr", "French"),
    ("ru", "Russian"),
    ("pt", "Portuguese"),
]


class ContactForm(forms.ModelForm):
    timezone = forms.ChoiceField(choices=timezone_choices, required=False, label="Time zone")
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES, required=False, initial="en")

    class Meta:
        model = Contact
        fields = list(EDITABLE_FIELDS)  # one list, shared with the services that save it
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}),
            "calling_window_start": forms.TimeInput(attrs={"type": "time"}),
            "calling_window_end": forms.TimeInput(attrs={"type": "time"}),
        }
        labels = {
            "postal_code": "ZIP code",
            "do_not_call": "Do not call",
            "do_not_text": "Do not text",
            "do_not_email": "Do not email",
            "calling_window_start": "Calling window from",
            "calling_window_end": "Calling window to",
        }

    def clean_state(self):
        return self.cleaned_data["state"].strip().upper()

    def clean(self):
        data = super().clean()
        if data.get("kind") == "organization":
            if not data.get("organization_name"):
                self.add_error("organization_name", "Enter the organization's name.")
        elif not data.get("first_name") and not data.get("last_name"):
            self.add_error("first_name", "Enter a first or last name.")
        start, end = data.get("calling_window_start"), data.get("calling_window_end")
        if start and end and start >= end:
            self.add_error("calling_window_end", "The calling window must end after it starts (e.g. 08:00 to 21:00).")
        return data


class PhoneForm(forms.Form):
    number = forms.CharField(max_length=40, required=False, widget=forms.TextInput(attrs={"type": "tel"}))
    kind = forms.ChoiceField(choices=ChannelKind.choices, initial=ChannelKind.MOBILE)
    is_primary = forms.BooleanField(required=False, label="Primary")

    def clean_number(self):
        raw = self.cleaned_data["number"].strip()
        if not raw:
            return ""
        try:
            return normalize_phone(raw)
        except InvalidPhone as error:
            raise ValidationError(str(error)) from None


class EmailForm(forms.Form):
    email = forms.EmailField(
        required=False,
        error_messages={"invalid": "This is not an email address (it should look like name@example.com)."},
    )
    kind = forms.ChoiceField(choices=ChannelKind.choices, initial=ChannelKind.HOME)
    is_primary = forms.BooleanField(required=False, label="Primary")

    def clean_email(self):
        return normalize_email(self.cleaned_data["email"])


class _PrimaryFormSet(forms.BaseFormSet):
    """Rows with a value; exactly one of them primary (a single row becomes primary by itself)."""

    value_field = ""
    noun = ""

    def clean(self):
        if any(self.errors):
            return
        rows = [
            form
            for form in self.forms
            if form.cleaned_data.get(self.value_field) and not form.cleaned_data.get("DELETE")
        ]
        seen = set()
        for form in rows:
            value = form.cleaned_data[self.value_field]
            if value in seen:
                form.add_error(self.value_field, f"This {self.noun} is entered twice.")
            seen.add(value)
        primaries = [form for form in rows if form.cleaned_data.get("is_primary")]
        if len(primaries) > 1:
            raise ValidationError(
                f"Only one {self.noun} can be the primary one: untick “Primary” on all but one.", code="two_primaries"
            )
        if rows and not primaries:
            if len(rows) == 1:
                rows[0].cleaned_data["is_primary"] = True
            else:
                raise ValidationError(f"Choose which {self.noun} is the primary one.", code="no_primary")

    @property
    def rows(self) -> list[dict]:
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data.get(self.value_field) and not form.cleaned_data.get("DELETE")
        ]


class BasePhoneFormSet(_PrimaryFormSet):
    value_field = "number"
    noun = "phone number"


class BaseEmailFormSet(_PrimaryFormSet):
    value_field = "email"
    noun = "email address"


PhoneFormSet = forms.formset_factory(PhoneForm, formset=BasePhoneFormSet, extra=2, can_delete=True, max_num=10)
EmailFormSet = forms.formset_factory(EmailForm, formset=BaseEmailFormSet, extra=1, can_delete=True, max_num=10)


def phone_formset(data=None, *, contact=None):
    initial = [
        {"number": p.number, "kind": p.kind, "is_primary": p.is_primary}
        for p in (contact.phones.all() if contact else [])
    ]
    return PhoneFormSet(data, initial=initial, prefix="phones")


def email_formset(data=None, *, contact=None):
    initial = [
        {"email": e.email, "kind": e.kind, "is_primary": e.is_primary}
        for e in (contact.emails.all() if contact else [])
    ]
    return EmailFormSet(data, initial=initial, prefix="emails")


def _role_choices():
    return case_contact_model()._meta.get_field("role").choices


class LinkCaseForm(forms.Form):
    case_number = forms.CharField(
        label="Case number", max_length=40, widget=forms.TextInput(attrs={"placeholder": "PI-0000123"})
    )
    role = forms.ChoiceField(choices=_role_choices, initial="client")

    def __init__(self, *args, contact=None, **kwargs):
        self.contact = contact
        super().__init__(*args, **kwargs)

    def clean_case_number(self):
        number = self.cleaned_data["case_number"].strip().upper()
        case = case_model().objects.filter(number=number).first()
        if case is None:
            raise ValidationError(f"There is no case with number {number}. Check the number on the case page.")
        if self.contact is not None and case_contact_model().objects.filter(case=case, contact=self.contact).exists():
            raise ValidationError(f"This contact is already on case {number}.")
        self.cleaned_data["case"] = case
        return number

    def clean(self):
        data = super().clean()
        if "case" in self.cleaned_data:
            data["case"] = self.cleaned_data["case"]
        return data


def _task_status_choices():
    task_model = case_model()._meta.get_field("tasks").related_model
    return [("", "Any status"), *task_model._meta.get_field("status").choices]


class TaskListFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search tasks", widget=forms.TextInput(attrs={"type": "search"}))
    status = forms.ChoiceField(required=False, choices=_task_status_choices)
    due = forms.ChoiceField(
        required=False,
        label="Due",
        choices=[("", "Any time"), ("overdue", "Overdue"), ("week", "Due in the next 7 days"), ("none", "No due date")],
    )


class TaskFillForm(forms.Form):
    """A task's form fields ({name, label, type, required, choices}) as a Django form."""

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        self.task = task
        spec = task.form_fields or (task.form_template.fields if task.form_template_id else [])
        if task.kind != "form" or not spec:
            self.fields["done"] = forms.BooleanField(label="Mark this task as done", required=True)
            return
        for field in spec:
            self.fields[field["name"]] = _form_field(field, (task.response or {}).get(field["name"]))

    def response(self) -> dict:
        values = {}
        for name, value in self.cleaned_data.items():
            values[name] = value.isoformat() if isinstance(value, datetime.date) else value
        return values


def _form_field(spec: dict, initial):
    common = {"label": spec.get("label") or spec["name"], "required": bool(spec.get("required")), "initial": initial}
    kind = spec.get("type", "text")
    if kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == "yesno":
        return forms.ChoiceField(choices=[("", "—"), ("yes", "Yes"), ("no", "No")], **common)
    if kind == "choice":
        choices = [("", "—"), *[(choice, choice) for choice in spec.get("choices", [])]]
        return forms.ChoiceField(choices=choices, **common)
    if kind == "textarea":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), **common)
    if kind == "signature":
        return forms.CharField(help_text="Type the full name to sign.", **common)
    return forms.CharField(max_length=1000, **common)
