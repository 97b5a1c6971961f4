"""Forms of the portal: the staff Share Link dialog, and the contact's form answers,
uploads and messages."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.models import ChannelKind, LineType
from documents.forms import MultipleFileField, MultipleFileInput
from firm.selectors import firm_setting
from portal.models import LinkChannel, SecondFactor
from portal.services import contact_reachability, default_message_template, share_link

# --- Staff: Share Link -----------------------------------------------------------------


def destination_options(contact, *, now=None) -> list[dict]:
    """Every phone and email of the contact with what the do-not-contact rules say of it.

    Only a look: opening the Share Link dialog records no DNC check; sending does."""
    options = []
    for phone in contact.phones.all():
        reach = contact_reachability(contact, channel=LinkChannel.SMS, phone=phone, now=now, record=False)
        options.append(
            {
                "value": f"sms:{phone.pk}",
                "label": f"Text {phone.number}",
                "detail": f"{phone.get_kind_display()}{', primary' if phone.is_primary else ''}",
                "reach": reach,
                "send_label": None,
                "channel": LinkChannel.SMS,
                "phone": phone,
                "primary": phone.is_primary,
            }
        )
    for email in contact.emails.all():
        reach = contact_reachability(contact, channel=LinkChannel.EMAIL, email=email, now=now, record=False)
        options.append(
            {
                "value": f"email:{email.pk}",
                "label": f"Email {email.email}",
                "detail": f"{email.get_kind_display()}{', primary' if email.is_primary else ''}",
                "reach": reach,
                "channel": LinkChannel.EMAIL,
                "email": email,
                "primary": email.is_primary,
            }
        )
    for option in options:
        option["send_label"] = option_send_label(option)
    return options


def option_send_label(option) -> str:
    send_after = option["reach"].send_after
    return f"Send at {send_after:%H:%M} their time" if send_after else "Send link"


def takes_texts(phone) -> bool:
    """A phone known to be a mobile: its kind (a Mobile label on import, the profile) or its line type."""
    return phone.kind == ChannelKind.MOBILE or phone.line_type == LineType.MOBILE


def preferred_destination(options, contact) -> str:
    """What the dialog starts with: a text to a mobile (primary first), or an email if the
    contact prefers email or no phone is known to take texts; else whatever may be used."""
    allowed = [o for o in options if o["reach"].allowed]
    if not allowed:
        return ""
    texts = [o for o in allowed if o["channel"] == LinkChannel.SMS and takes_texts(o["phone"])]
    emails = [o for o in allowed if o["channel"] == LinkChannel.EMAIL]
    order = (emails, texts) if contact.preferred_contact_method == "email" else (texts, emails)
    for group in order:
        if group:
            return next((o for o in group if o["primary"]), group[0])["value"]
    return allowed[0]["value"]


class ShareLinkForm(forms.Form):
    destination = forms.ChoiceField(label="Send to", widget=forms.RadioSelect)
    message = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="{first_name}, {firm} and {link} are filled in when it is sent.",
    )
    second_factor = forms.ChoiceField(
        label="Ask before opening", choices=SecondFactor.choices, required=False, initial=SecondFactor.NONE
    )
    expires_in_days = forms.IntegerField(label="Expires after (days)", min_value=1, max_value=90)

    def __init__(self, *args, contact, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.contact = contact
        self.options = destination_options(contact, now=now)
        self.fields["destination"].choices = [(o["value"], o["label"]) for o in self.options]
        self.fields["destination"].initial = preferred_destination(self.options, contact)
        self.fields["message"].initial = default_message_template(contact)
        self.fields["expires_in_days"].initial = max(1, firm_setting("PORTAL_LINK_TTL").days)

    @property
    def send_label(self) -> str:
        """The button's words for the chosen destination: a held text says when it goes."""
        value = self["destination"].value()
        option = next((o for o in self.options if o["value"] == value), None)
        return option_send_label(option) if option else "Send link"

    def clean_destination(self):
        value = self.cleaned_data["destination"]
        option = next(o for o in self.options if o["value"] == value)
        if not option["reach"].allowed:
            raise forms.ValidationError(option["reach"].blocked)
        return option

    def clean_second_factor(self):
        value = self.cleaned_data.get("second_factor") or ""
        if value == SecondFactor.DATE_OF_BIRTH and not self.contact.date_of_birth:
            raise forms.ValidationError("There is no date of birth on file to ask for.")
        if value == SecondFactor.PHONE_LAST4 and not self.contact.phones.exists():
            raise forms.ValidationError("There is no phone on file to ask for.")
        return value

    def clean_message(self):
        message = self.cleaned_data["message"]
        if "{link}" not in message:
            raise forms.ValidationError("Keep {link} in the message: it is where the link goes.")
        return message

    # --- Contact: forms, uploads, messages ---------------------------------------------------

    def share(self, *, user, case, task=None):
        """Send the link the valid form describes (portal.services.share_link; its
        ValidationError, e.g. a do-not-text contact, is the caller's to show)."""
        option = self.cleaned_data["destination"]
        return share_link(
            contact=self.contact,
            user=user,
            channel=option["channel"],
            phone=option.get("phone"),
            email=option.get("email"),
            case=case,
            task=task,
            message_template=self.cleaned_data["message"],
            second_factor=self.cleaned_data["second_factor"],
            expires_in=datetime.timedelta(days=self.cleaned_data["expires_in_days"]),
        )


class SecondFactorForm(forms.Form):
    answer = forms.CharField(max_length=20, required=True)

    def __init__(self, *args, second_factor, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["answer"]
        if second_factor == SecondFactor.DATE_OF_BIRTH:
            field.label = _("Your date of birth")
            field.widget = forms.DateInput(attrs={"type": "date", "autocomplete": "bday"})
        else:
            field.label = _("The last four digits of your phone number")
            field.widget = forms.TextInput(
                attrs={"inputmode": "numeric", "pattern": "[0-9]{4}", "maxlength": "4", "autocomplete": "off"}
            )


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _form_field(spec: dict, *, draft: bool) -> forms.Field:
    kind = spec.get("type", "text")
    label = spec.get("label") or spec.get("name")
    required = bool(spec.get("required")) and not draft
    help_text = spec.get("help", "")
    if kind == "date":
        return forms.DateField(
            label=label, required=required, help_text=help_text, widget=forms.DateInput(attrs={"type": "date"})
        )
    if kind == "choice":
        choices = [(str(c), str(c)) for c in spec.get("choices", [])]
        return forms.ChoiceField(
            label=label, required=required, help_text=help_text, choices=choices, widget=forms.RadioSelect
        )
    if kind == "yesno":
        return forms.ChoiceField(
            label=label, required=required, help_text=help_text, choices=YES_NO, widget=forms.RadioSelect
        )
    if kind == "signature":
        return forms.CharField(
            label=label,
            required=required,
            max_length=200,
            help_text=help_text or _("Typing your full name here counts as your signature."),
            widget=forms.TextInput(attrs={"autocomplete": "name", "class": "signature"}),
        )
    if kind == "file":
        return forms.FileField(
            label=label,
            required=False,
            allow_empty_file=True,  # refused by the documents' rule, with a message that names the file
            help_text=help_text,
            widget=forms.FileInput(attrs={"accept": "image/*,application/pdf"}),
        )
    if kind == "textarea":
        return forms.CharField(
            label=label,
            required=required,
            max_length=5000,
            help_text=help_text,
            widget=forms.Textarea(attrs={"rows": 4}),
        )
    return forms.CharField(label=label, required=required, max_length=500, help_text=help_text)


class TaskResponseForm(forms.Form):
    """A form built from a task's form fields (text, date, choice, yes/no, signature, file).
    A draft accepts blanks; a submission checks every required field."""

    def __init__(self, *args, task, draft: bool = False, **kwargs):
        file_names = {spec.get("name") for spec in task.form_fields or [] if spec.get("type") == "file"}
        initial = {key: value for key, value in (task.response or {}).items() if key not in file_names}
        super().__init__(*args, initial=initial, **kwargs)
        self.task = task
        self.file_fields = []
        for spec in task.form_fields or []:
            name = spec.get("name")
            if not name:
                continue
            self.fields[name] = _form_field(spec, draft=draft)
            if spec.get("type") == "file":
                self.file_fields.append(name)
                if spec.get("required") and not draft and not (task.response or {}).get(name):
                    self.fields[name].required = True

    def response_data(self, *, stored_files: dict) -> dict:
        """The answers as JSON: dates as ISO strings, files as the stored document's id and name."""
        data = dict(self.task.response or {})
        for name, value in self.cleaned_data.items():
            if name in self.file_fields:
                if name in stored_files:
                    data[name] = stored_files[name]
                continue
            if isinstance(value, datetime.date):
                value = value.isoformat()
            data[name] = value
        return data


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Photos or files"),
        widget=MultipleFileInput(attrs={"multiple": True, "accept": "image/*,application/pdf"}),
    )


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class StaffReplyForm(forms.Form):
    body = forms.CharField(label="Reply", max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
