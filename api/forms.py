"""Settings → API: making a token and registering a webhook."""

from django import forms
from django.contrib.auth import get_user_model

from api.models import Scope, WebhookEvent
from api.webhooks import UnsafeUrl, check_url


class TokenForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        help_text="The token acts as this user, within their role.",
    )
    name = forms.CharField(max_length=100, help_text="What it is for, e.g. “Intake form”.")
    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple)
    expires_in_days = forms.IntegerField(min_value=1, max_value=3650, initial=365, label="Expires after (days)")


class WebhookForm(forms.Form):
    url = forms.URLField(max_length=500, assume_scheme="https", label="URL")
    events = forms.MultipleChoiceField(choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple)
    description = forms.CharField(max_length=200, required=False)

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            check_url(url)
        except UnsafeUrl as error:
            raise forms.ValidationError(str(error)) from None
        return url
