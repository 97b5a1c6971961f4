"""Settings: the landing page and the sections made of the firm's settings (Portal, Calling
windows). Everyone signed in may read them; only an Admin may change them."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from firm.forms import SectionForm
from firm.registry import SECTIONS
from firm.selectors import recent_setting_changes, section_values
from firm.services import change_firm_settings

CHANGE_PERMISSION = "firm.change_firmsetting"
READ_ONLY = "Only an Admin can change the firm's settings."


def can_change_settings(user) -> bool:
    return user.has_perm(CHANGE_PERMISSION)


def refuse_unless_admin(request, message: str = READ_ONLY) -> None:
    """Settings are read-only for Staff: a change is refused with a 403 in plain words."""
    if request.method == "POST" and not can_change_settings(request.user):
        raise PermissionDenied(message)


@require_GET
def settings_index_view(request):
    context = {
        "nav": "settings",
        "section": "index",
        "can_change": can_change_settings(request.user),
        "portal": section_values("portal"),
        "duplicates": section_values("duplicates"),
        "calling": section_values("calling"),
        "changes": recent_setting_changes(limit=10),
    }
    return render(request, "firm/index.html", context)


def section_context(request, section: str, form: SectionForm) -> dict:
    return {
        "nav": "settings",
        "section": section,
        "title": SECTIONS[section],
        "form": form,
        "rows": section_values(section),
        "can_change": can_change_settings(request.user),
        "changes": recent_setting_changes(limit=10, section=section),
    }


def save_section(request, form: SectionForm):
    """Apply a valid section form: one activity event per changed setting, then back to the page."""
    events = change_firm_settings(changes=form.values, user=request.user)
    if events:
        count = len(events)
        messages.success(request, f"Saved: {count} setting{'s' if count != 1 else ''} changed.")
    else:
        messages.info(request, "Nothing was changed.")
    return redirect(request.path)


@require_http_methods(["GET", "POST"])
def section_view(request, section: str, template: str = "firm/section.html"):
    refuse_unless_admin(request)
    form = SectionForm(request.POST or None, section=section)
    if request.method == "POST" and form.is_valid():
        return save_section(request, form)
    status = 400 if form.errors else 200
    return render(request, template, section_context(request, section, form), status=status)
