"""A form renderer for the contacts filter form, which every Contacts page renders.

Django renders each widget and label through a template (a select includes a template per
option and per attribute list): about 4 ms for the filter form's ten fields and their labels.
This renderer writes the plain inputs, selects and labels in Python, exactly as Django's own
templates would (contacts/tests/test_list_rows.py compares the two), and hands anything else
(custom widget templates, a field's errors) to Django's template renderer.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape as esc

_SELECT_OPTION = "django/forms/widgets/select_option.html"


def _attrs(attrs) -> str:
    """django/forms/widgets/attrs.html (and django/forms/attrs.html, the same for labels)."""
    return "".join(
        f" {esc(name)}" if value is True else f' {esc(name)}="{esc(value)}"'
        for name, value in (attrs or {}).items()
        if value is not False
    )


def _input(context) -> str:
    """django/forms/widgets/input.html (text, search, number, date, checkbox, ... include it)."""
    widget = context["widget"]
    value = widget["value"]
    shown = "" if value is None else f' value="{esc(value)}"'
    return f'<input type="{esc(widget["type"])}" name="{esc(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'


def _select(context) -> str | None:
    """django/forms/widgets/select.html with its options' select_option.html."""
    widget = context["widget"]
    parts = [f'<select name="{esc(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{esc(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _SELECT_OPTION:
                return None
            parts.append(
                f'\n  <option value="{esc(option["value"])}"{_attrs(option["attrs"])}>{esc(option["label"])}</option>\n'
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _label(context) -> str:
    """django/forms/label.html."""
    if not context["use_tag"]:
        return str(esc(context["label"]))
    tag = esc(context["tag"])
    return f"<{tag}{_attrs(context['attrs'])}>{esc(context['label'])}</{tag}>"


def _errors(context) -> str | None:
    """django/forms/errors/list/default.html when a field has no errors (every field's `errors`
    is rendered on every page); a field's errors go to the template."""
    return None if context["errors"] else ""


_BUILDERS = {
    "django/forms/label.html": _label,
    "django/forms/errors/list/default.html": _errors,
    "django/forms/widgets/select.html": _select,
    **{
        f"django/forms/widgets/{kind}.html": _input
        for kind in ("text", "search", "number", "date", "email", "url", "tel", "password", "checkbox", "hidden")
    },
}


class PythonWidgetRenderer(DjangoTemplates):
    """Django's template renderer, with the commonest widgets and labels written in Python."""

    def render(self, template_name, context, request=None):
        build = _BUILDERS.get(template_name)
        html = build(context) if build is not None else None
        if html is None:
            return super().render(template_name, context, request=request)
        return html.strip()


RENDERER = PythonWidgetRenderer()
