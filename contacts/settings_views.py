"""Settings → Duplicate rules (the rules, thresholds and what the model has learned) and
Settings → Users and roles. Everyone signed in may read them; only an Admin may change them."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts.dedupe.comparisons import COMPARISONS
from contacts.duplicates import active_model
from contacts.models import DuplicateModel
from contacts.roles import ADMIN, ROLES, STAFF
from firm.forms import SectionForm
from firm.selectors import recent_setting_changes
from firm.services import change_user_role, set_user_active
from firm.views import refuse_unless_admin, save_section, section_context

USERS_SHOWN = 300  # a firm's accounts, not its contacts: one page holds them all


# --- Duplicate rules -----------------------------------------------------------------------------


def learned_model() -> dict:
    """What the stored duplicate model has learned, as the Settings page shows it."""
    stored = DuplicateModel.objects.order_by("-id").defer("parameters").first()
    model = active_model()
    weights = [
        {
            "label": comparison.label,
            "levels": [
                {"label": label, "bits": model.weights[c][level]}
                for level, (label, _kind) in enumerate(comparison.levels)
                if level
            ],
        }
        for c, comparison in enumerate(COMPARISONS)
    ]
    evaluation = ""
    if stored is not None:
        evaluation = (
            DuplicateModel.objects.filter(pk=stored.pk).values_list("parameters__labels__summary", flat=True).first()
        ) or ""
    return {
        "stored": stored,
        "households": model.households,
        "household_share": model.household_share,
        "prior_one_in": round(1 / model.lam) if model.lam else None,
        "weights": weights,
        "evaluation": evaluation,
    }


@require_http_methods(["GET", "POST"])
def duplicate_rules_view(request):
    refuse_unless_admin(request)
    form = SectionForm(request.POST or None, section="duplicates")
    if request.method == "POST" and form.is_valid():
        return save_section(request, form)
    context = {**section_context(request, "duplicates", form), "learned": learned_model()}
    return render(request, "contacts/settings/duplicate_rules.html", context, status=400 if form.errors else 200)


@require_POST
def duplicate_model_train_view(request):
    refuse_unless_admin(request)
    from contacts.tasks import train_duplicate_model_task

    train_duplicate_model_task.delay()
    messages.success(
        request,
        "The model is learning from the contacts in the background (a few minutes at a million contacts); "
        "its new version shows here when it is done.",
    )
    return redirect("settings:duplicates")


# --- Users and roles -----------------------------------------------------------------------------

MANAGE_USERS = "firm.manage_users"


def _role_of(account) -> str:
    names = {group.name for group in account.role_groups}
    if ADMIN in names:
        return ADMIN
    if STAFF in names:
        return STAFF
    return ""


@require_GET
def users_view(request):
    from django.contrib.auth.models import Group

    accounts = list(
        get_user_model()
        ._default_manager.prefetch_related(
            Prefetch("groups", queryset=Group.objects.filter(name__in=ROLES), to_attr="role_groups")
        )
        .order_by("-is_active", "username")[:USERS_SHOWN]
    )
    rows = [{"account": account, "role": _role_of(account)} for account in accounts]
    context = {
        "nav": "settings",
        "section": "users",
        "rows": rows,
        "roles": ROLES,
        "can_change": request.user.has_perm(MANAGE_USERS),
        "changes": recent_setting_changes(limit=10, section="users"),
    }
    return render(request, "contacts/settings/users.html", context)


def _account(request, pk):
    if not request.user.has_perm(MANAGE_USERS):
        raise PermissionDenied("Only an Admin can change users and roles.")
    return get_object_or_404(get_user_model(), pk=pk)


@require_POST
def user_role_view(request, pk):
    account = _account(request, pk)
    try:
        event = change_user_role(account=account, role=request.POST.get("role", ""), user=request.user, roles=ROLES)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        name = account.get_full_name() or account.get_username()
        if event:
            messages.success(request, f"{name} is now {request.POST['role']}.")
        else:
            messages.info(request, f"{name} already had that role.")
    return redirect("settings:users")


@require_POST
def user_active_view(request, pk):
    account = _account(request, pk)
    active = request.POST.get("active") == "1"
    try:
        set_user_active(account=account, active=active, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        name = account.get_full_name() or account.get_username()
        if active:
            messages.success(request, f"{name} can sign in again.")
        else:
            messages.success(request, f"{name} is deactivated: they can no longer sign in.")
    return redirect("settings:users")
