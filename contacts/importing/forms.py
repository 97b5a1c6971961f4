"""The import wizard's forms: upload, then mapping and options."""

from django import forms

from contacts.importing.mapping import FIELDS_BY_KEY, MULTI_FIELDS, mapping_choices
from contacts.importing.readers import DELIMITERS, ENCODING_CHOICES
from contacts.importing.service import human_size, max_upload_bytes
from contacts.models import DuplicateRule, ImportErrorMode, ImportMapping


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV or Excel file",
        help_text="CSV (any common encoding; comma, semicolon or tab) or Excel .xlsx.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx,text/csv", "data-dropzone-input": ""}),
    )
    encoding = forms.ChoiceField(label="Encoding", choices=ENCODING_CHOICES, required=False)
    saved_mapping = forms.ModelChoiceField(
        label="Saved mapping", queryset=ImportMapping.objects.all(), required=False, empty_label="None: match by header"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = max_upload_bytes()
        self.fields["file"].widget.attrs["data-max-bytes"] = limit
        self.fields["file"].help_text += f" Up to {human_size(limit)}."


class MappingForm(forms.Form):
    """One dropdown per column, the file options that can be overridden, and the rules."""

    encoding = forms.ChoiceField(label="Encoding", choices=ENCODING_CHOICES[1:], required=False)
    delimiter = forms.ChoiceField(
        label="Delimiter", choices=[(key, name.capitalize()) for key, name in DELIMITERS.items()], required=False
    )
    sheet = forms.ChoiceField(label="Sheet", choices=[], required=False)
    duplicate_rule = forms.ChoiceField(
        label="When a row matches an existing contact", choices=DuplicateRule.choices, widget=forms.RadioSelect
    )
    error_mode = forms.ChoiceField(label="Rows with errors", choices=ImportErrorMode.choices, widget=forms.RadioSelect)
    check_dnc = forms.BooleanField(
        label="Check the imported phone numbers against the Do-Not-Call lists",
        required=False,
        help_text="Each check is recorded in the contact's activity log; a listed number sets do-not-call.",
    )
    save_as = forms.CharField(
        label="Save this mapping as", max_length=100, required=False, help_text="Optional: reuse it for the next file."
    )

    def __init__(self, *args, batch, sheets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.batch = batch
        self.column_names = []
        for index, header in enumerate(batch.headers):
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header or f"Column {index + 1}",
                choices=mapping_choices(),
                required=False,
                initial=batch.mapping[index] if index < len(batch.mapping) else "",
            )
            self.column_names.append(name)
        if batch.file_format == "csv":
            del self.fields["sheet"]
        else:
            del self.fields["encoding"]
            del self.fields["delimiter"]
            self.fields["sheet"].choices = [(sheet, sheet) for sheet in sheets]

    def clean(self):
        data = super().clean()
        mapping = [data.get(name, "") for name in self.column_names]
        seen = {}
        for index, key in enumerate(mapping):
            if not key:
                continue
            if key not in MULTI_FIELDS and key in seen:
                label = FIELDS_BY_KEY[key].label
                self.add_error(
                    f"column_{index}", f"“{label}” is already taken by the column “{self.batch.headers[seen[key]]}”."
                )
            seen.setdefault(key, index)
        names = {"first_name", "last_name", "full_name", "organization_name"}
        if not names & set(mapping):
            raise forms.ValidationError("Match at least one column to a name (first, last, full name or organization).")
        data["mapping"] = mapping
        return data

    def columns(self):
        return [self[name] for name in self.column_names]
