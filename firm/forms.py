"""The form of a Settings section, built from the table in firm.registry."""

from django import forms
from django.core.exceptions import ValidationError

from firm.registry import section_settings
from firm.selectors import environment_default, firm_setting, is_overridden


def _check_scores(form, values) -> None:
    low, high = values.get("DUPLICATE_MIN_SCORE"), values.get("DUPLICATE_AUTO_MATCH_SCORE")
    if low is not None and high is not None and high < low:
        form.add_error(
            "duplicate_auto_match_score",
            f"This must be at least the score from which duplicates are suggested ({low}): an import "
            "can't be surer than the queue.",
        )


def _check_hours(form, values) -> None:
    start, end = values.get("CALLING_HOURS_START"), values.get("CALLING_HOURS_END")
    if start is not None and end is not None and end <= start:
        form.add_error("calling_hours_end", "The calling hours must end after they start.")


SECTION_CHECKS = {"duplicates": _check_scores, "calling": _check_hours}


class SectionForm(forms.Form):
    """Every setting of one section; `values` holds them cleaned, in the type firm_setting gives."""

    def __init__(self, *args, section: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.section = section
        self.settings = section_settings(section)
        self.values = {}
        for setting in self.settings:
            field = setting.kind.form_field(setting)
            field.label = setting.label
            field.help_text = setting.help_text
            field.initial = setting.kind.initial(firm_setting(setting.name))
            self.fields[setting.name.lower()] = field

    def clean(self):
        cleaned = super().clean()
        for setting in self.settings:
            key = setting.name.lower()
            if key in self.errors or key not in cleaned:
                continue
            try:
                self.values[setting.name] = setting.kind.from_form(cleaned[key])
            except ValidationError as error:
                self.add_error(key, error)
        check = SECTION_CHECKS.get(self.section)
        if check is not None:
            check(self, self.values)
        return cleaned

    def rows(self) -> list[dict]:
        """Each setting's bound field with its default and whether Settings changed it."""
        return [
            {
                "field": self[setting.name.lower()],
                "setting": setting,
                "default": setting.kind.display(environment_default(setting.name)),
                "overridden": is_overridden(setting.name),
            }
            for setting in self.settings
        ]
