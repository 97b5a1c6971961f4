"""The API's shapes. Validation of a contact is the web form's (contacts.forms): one rule for
names, calling windows, phone numbers and primaries, whichever way a contact comes in."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts.forms import ContactForm, EmailFormSet, PhoneFormSet
from contacts.models import ChannelKind, Contact, ContactKind, ContactMethod
from contacts.services import EDITABLE_FIELDS

MAX_CHANNELS = 10


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2})?$", "example": "08:00"})
class LocalTimeField(serializers.TimeField):
    """A wall-clock time in the contact's own time zone ("08:00"), not an RFC 3339 time with
    an offset, which is what OpenAPI's `format: time` would promise."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class PhoneSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=40, help_text="Any format; stored in E.164.")
    kind = serializers.ChoiceField(choices=ChannelKind.choices, default=ChannelKind.MOBILE)
    is_primary = serializers.BooleanField(default=False)


class EmailSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    kind = serializers.ChoiceField(choices=ChannelKind.choices, default=ChannelKind.HOME)
    is_primary = serializers.BooleanField(default=False)


class ContactSerializer(serializers.ModelSerializer):
    """A contact as the API reads and writes it. Phones and emails, when sent, replace the
    contact's (exactly one primary each, as on the web form); left out, they stay."""

    phones = PhoneSerializer(many=True, required=False, max_length=MAX_CHANNELS)
    emails = EmailSerializer(many=True, required=False, max_length=MAX_CHANNELS)
    display_name = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=ContactKind.choices, default=ContactKind.PERSON)
    preferred_contact_method = serializers.ChoiceField(choices=ContactMethod.choices, required=False)
    language = serializers.CharField(max_length=10, required=False, allow_blank=True)
    timezone = serializers.CharField(max_length=64, required=False, allow_blank=True)
    calling_window_start = LocalTimeField(required=False)
    calling_window_end = LocalTimeField(required=False)

    class Meta:
        model = Contact
        fields = [
            "id",
            "display_name",
            *EDITABLE_FIELDS,
            "phones",
            "emails",
            "login_source",
            "web_last_login_at",
            "mobile_last_login_at",
            "sentiment_label",
            "merged_into",
            "archived_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "login_source",
            "web_last_login_at",
            "mobile_last_login_at",
            "sentiment_label",
            "merged_into",
            "archived_at",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, contact):
        data = super().to_representation(contact)
        data["phones"] = [
            {"number": p.number, "kind": p.kind, "is_primary": p.is_primary} for p in contact.phones.all()
        ]
        data["emails"] = [{"email": e.email, "kind": e.kind, "is_primary": e.is_primary} for e in contact.emails.all()]
        return data

    def validate(self, attrs):
        """The web form's checks on the whole contact (a PATCH is checked as the result)."""
        contact = self.instance
        values = {name: getattr(contact, name) for name in EDITABLE_FIELDS} if contact else {}
        values.update({name: attrs[name] for name in EDITABLE_FIELDS if name in attrs})
        if contact is None:
            values.setdefault("calling_window_start", Contact._meta.get_field("calling_window_start").default)
            values.setdefault("calling_window_end", Contact._meta.get_field("calling_window_end").default)
            values.setdefault("language", "en")
        form = ContactForm({name: "" if value is None else value for name, value in values.items()})
        errors = {}
        if not form.is_valid():
            for field, messages in form.errors.items():
                errors[field if field != "__all__" else "non_field_errors"] = list(messages)
        cleaned = {name: form.cleaned_data.get(name) for name in EDITABLE_FIELDS if name in form.cleaned_data}
        channels = {}
        for name, formset_class, value_field in (("phones", PhoneFormSet, "number"), ("emails", EmailFormSet, "email")):
            if name in attrs:
                rows = attrs[name]
            elif contact is not None:
                manager = contact.phones if name == "phones" else contact.emails
                rows = list(manager.order_by("id").values(value_field, "kind", "is_primary"))
            else:
                rows = []
            data = {f"{name}-TOTAL_FORMS": str(len(rows)), f"{name}-INITIAL_FORMS": "0"}
            for index, row in enumerate(rows):
                data.update({f"{name}-{index}-{key}": value for key, value in row.items() if value is not False})
            formset = formset_class(data, prefix=name)
            if not formset.is_valid():
                for index, form_errors in enumerate(formset.errors):
                    for field, messages in form_errors.items():
                        errors[f"{name}.{index}.{field}"] = list(messages)
                if formset.non_form_errors():
                    errors[name] = list(formset.non_form_errors())
            else:
                channels[name] = [
                    {value_field: row[value_field], "kind": row["kind"], "is_primary": bool(row.get("is_primary"))}
                    for row in formset.rows
                ]
        if errors:
            raise serializers.ValidationError(errors)
        return {"data": cleaned, **channels}


class ArchivedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    archived_at = serializers.DateTimeField()


class DuplicateMatchSerializer(serializers.Serializer):
    contact = ContactSerializer(read_only=True)
    score = serializers.IntegerField(help_text="Match probability in percent.")
    reasons = serializers.ListField(child=serializers.CharField())


class DuplicatePairSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    contact_a = serializers.IntegerField(source="contact_a_id")
    contact_b = serializers.IntegerField(source="contact_b_id")
    score = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
    computed_at = serializers.DateTimeField()


class PairSerializer(serializers.Serializer):
    contact_a = serializers.IntegerField(min_value=1, max_value=2**62)
    contact_b = serializers.IntegerField(min_value=1, max_value=2**62)

    def validate(self, attrs):
        if attrs["contact_a"] == attrs["contact_b"]:
            raise serializers.ValidationError({"contact_b": [_("Choose two different contacts.")]})
        return attrs


class MergeRequestSerializer(serializers.Serializer):
    merged = serializers.IntegerField(
        min_value=1, max_value=2**62, help_text="The contact merged away (it becomes a tombstone)."
    )
    choices = serializers.DictField(
        child=serializers.ChoiceField(choices=["survivor", "merged"]),
        required=False,
        help_text="Per field group (first_name, address, …): keep the survivor's value or take the merged "
        "contact's. Left out: the web form's defaults (a filled value wins over an empty one).",
    )
    primary_phone = serializers.CharField(required=False, allow_blank=True, help_text="Number to make primary.")
    primary_email = serializers.CharField(required=False, allow_blank=True, help_text="Email to make primary.")
    dry_run = serializers.BooleanField(default=False, help_text="Preview only: nothing is changed.")


class MergeFieldSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    survivor = serializers.CharField(allow_blank=True)
    merged = serializers.CharField(allow_blank=True)
    choice = serializers.ChoiceField(choices=["survivor", "merged"])


class MovedRowsSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()


class MergePreviewSerializer(serializers.Serializer):
    survivor = serializers.IntegerField()
    merged = serializers.IntegerField()
    fields = MergeFieldSerializer(many=True)
    moves = MovedRowsSerializer(many=True)


class MergeRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    survivor = serializers.IntegerField(source="survivor_id")
    merged = serializers.IntegerField(source="merged_contact_id")
    field_choices = serializers.DictField()
    merged_at = serializers.DateTimeField()
    undone_at = serializers.DateTimeField(allow_null=True)


class ActivityEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    occurred_at = serializers.DateTimeField()
    event_type = serializers.CharField()
    is_compliance = serializers.BooleanField()
    description = serializers.CharField()
    actor = serializers.CharField(source="actor_name")
    contact = serializers.IntegerField(source="contact_id", allow_null=True)
    case = serializers.IntegerField(source="case_id", allow_null=True)
