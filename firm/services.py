"""Changing the firm's settings and its users' roles. Every change is one activity event
with the value before and after, written in the same transaction as the change."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from activity.models import EventType
from activity.services import record_event
from firm.models import FirmSetting
from firm.registry import SECTIONS, SETTINGS_BY_NAME
from firm.selectors import environment_default, firm_setting, firm_settings_changed


def change_firm_settings(*, changes: dict, user) -> list:
    """Set each named setting to its new value (the type firm_setting returns). A value equal
    to the environment's default removes the override. Returns the events written."""
    events = []
    with transaction.atomic():
        for name, new_value in changes.items():
            setting = SETTINGS_BY_NAME[name]
            kind = setting.kind
            new_value = kind.coerce(kind.to_json(new_value))
            before = firm_setting(name)
            if kind.to_json(before) == kind.to_json(new_value):
                continue
            if kind.to_json(new_value) == kind.to_json(environment_default(name)):
                FirmSetting.objects.filter(name=name).delete()
            else:
                FirmSetting.objects.update_or_create(
                    name=name, defaults={"value": kind.to_json(new_value), "updated_by": user}
                )
            events.append(
                record_event(
                    event_type=EventType.SETTINGS,
                    description=(
                        f"{SECTIONS[setting.section]}: {setting.label} changed from "
                        f"{kind.display(before)} to {kind.display(new_value)}"
                    ),
                    user=user,
                    data={
                        "section": setting.section,
                        "setting": name,
                        "before": {name: kind.to_json(before)},
                        "after": {name: kind.to_json(new_value)},
                    },
                )
            )
            firm_settings_changed()
    return events


# --- Users and roles ---------------------------------------------------------------------------


def change_user_role(*, account, role: str, user, roles: tuple[str, ...]):
    """Put `account` in exactly one of the firm's role groups (the security log hears of it
    through the groups' signals)."""
    if role not in roles:
        raise ValidationError("Choose one of the roles.")
    if account.pk == user.pk:
        raise ValidationError("You can't change your own role: ask another Admin.")
    with transaction.atomic():
        before = sorted(account.groups.filter(name__in=roles).values_list("name", flat=True))
        if before == [role]:
            return None
        account.groups.remove(*Group.objects.filter(name__in=roles).exclude(name=role))
        account.groups.add(Group.objects.get_or_create(name=role)[0])
        return record_event(
            event_type=EventType.SETTINGS,
            description=f"Users and roles: {account.get_username()}'s role changed from "
            f"{', '.join(before) or 'none'} to {role}",
            user=user,
            data={
                "section": "users",
                "account": account.pk,
                "before": {"role": ", ".join(before)},
                "after": {"role": role},
            },
        )


def set_user_active(*, account, active: bool, user):
    """Deactivate (or reactivate) an account: a deactivated user can't sign in, and their
    open sessions stop working at their next request. Users are never deleted (the activity
    log names them)."""
    if account.pk == user.pk:
        raise ValidationError("You can't deactivate yourself: ask another Admin.")
    with transaction.atomic():
        account = get_user_model()._default_manager.select_for_update().get(pk=account.pk)
        if account.is_active == active:
            return None
        account.is_active = active
        account.save(update_fields=["is_active"])
        return record_event(
            event_type=EventType.SETTINGS,
            description=f"Users and roles: {account.get_username()} {'reactivated' if active else 'deactivated'}",
            user=user,
            data={
                "section": "users",
                "account": account.pk,
                "before": {"active": not active},
                "after": {"active": active},
            },
        )
