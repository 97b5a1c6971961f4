from django import forms

from cases.models import Case
from contacts.rich_text import sanitize_note_html
from documents.validation import ACCEPT_ATTRIBUTE


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; each is checked by documents.validation, not here: an
    empty file too, whose message names it (Django's own says only "the file is empty")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "accept": ACCEPT_ATTRIBUTE}))
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, (list, tuple)) else [data]
        files = [super(MultipleFileField, self).clean(item, initial) for item in items if item]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files


class DocumentUploadForm(forms.Form):
    files = MultipleFileField(label="Files")
    case = forms.ModelChoiceField(queryset=Case.objects.none(), required=False, empty_label="No case", label="Case")

    def __init__(self, *args, contact, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = Case.objects.filter(case_contacts__contact=contact).order_by("number")


class CaseDocumentUploadForm(forms.Form):
    """Files of the case itself (Case → Documents → Case Documents)."""

    files = MultipleFileField(label="Files")


class NoteForm(forms.Form):
    body_html = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "data-rich-text": "true"}),
        help_text="Bold, italic, lists, headings, quotes and links are kept; anything else is removed.",
    )
    attachments = MultipleFileField(label="Attachments", required=False)
    is_pinned = forms.BooleanField(label="Pin this note to the top", required=False)

    def __init__(self, data=None, *args, **kwargs):
        # A form shown again after an error puts what was typed into the editor as HTML:
        # only ever the sanitized text, as for a stored note.
        if data is not None and "body_html" in data:
            data = data.copy()
            data["body_html"] = sanitize_note_html(data["body_html"])
        super().__init__(data, *args, **kwargs)
