from django import forms


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app: the phone offers its number pad and
    the browser may fill it in from an SMS-style one-time-code source."""

    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]{6,8}",
                "autofocus": True,
                "spellcheck": "false",
                "aria-describedby": "code-help",
            }
        ),
    )


class RecoveryCodeForm(forms.Form):
    recovery_code = forms.CharField(
        label="Recovery code",
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )
