"""What the security log hears about without being called: sign-ins and sign-outs (Django's
auth signals), lockouts (django-axes), lifted lockouts (an axes attempt deleted), and role
changes (a user's groups, staff or superuser flag)."""

from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from security import sessions, two_factor
from security.models import SecurityEventKind
from security.services import record_security_event

User = get_user_model()
_ROLE_FLAGS = ("is_staff", "is_superuser")


@receiver(user_logged_in, dispatch_uid="security.signed_in")
def _signed_in(sender, request, user, **kwargs):
    record_security_event(kind=SecurityEventKind.SIGN_IN, request=request, user=user)
    if request is not None and hasattr(request, "session"):
        sessions.start(request.session)
        two_factor.step_needed(request, user)  # decided once here, not on every page


@receiver(user_logged_out, dispatch_uid="security.signed_out")
def _signed_out(sender, request, user, **kwargs):
    expired = getattr(request, "staff_session_expired", "")
    record_security_event(
        kind=SecurityEventKind.SESSION_EXPIRED if expired else SecurityEventKind.SIGN_OUT,
        request=request,
        user=user,
        details={"reason": expired} if expired else {},
    )


@receiver(user_login_failed, dispatch_uid="security.sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")
    user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    locked = bool(getattr(request, "axes_locked_out", False))
    record_security_event(
        kind=SecurityEventKind.SIGN_IN_FAILED,
        request=request,
        user=user,
        username=username,
        details={"locked_out": locked} if locked else {},
    )


@receiver(user_locked_out, dispatch_uid="security.locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    """Axes says so on the failure that reaches the limit and on every try while locked; the
    log keeps the first (later tries are sign-in failures marked locked_out)."""
    failures = getattr(request, "axes_failures_since_start", None)
    limit = get_failure_limit(request, getattr(request, "axes_credentials", None))
    if failures is not None and failures > limit:
        return
    user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    record_security_event(
        kind=SecurityEventKind.LOCKOUT,
        request=request,
        user=user,
        username=username or "",
        details={"failures": failures, "limit": limit, "ip_address": ip_address},
    )


@receiver(post_delete, sender=AccessAttempt, dispatch_uid="security.lockout_reset")
def _attempts_reset(sender, instance, **kwargs):
    """An attempt deleted while it still counted: an admin lifted it (admin, axes_reset*).

    Attempts past their cool-off, which axes clears by itself, are not news."""
    cool_off = get_cool_off()
    if cool_off is not None and instance.attempt_time <= timezone.now() - cool_off:
        return
    user = User._default_manager.filter(**{User.USERNAME_FIELD: instance.username}).first()
    record_security_event(
        kind=SecurityEventKind.LOCKOUT_RESET,
        user=user,
        username=instance.username or "",
        details={"ip_address": instance.ip_address, "failures": instance.failures_since_start},
    )


@receiver(pre_save, sender=User, dispatch_uid="security.role_flags_before")
def _remember_role_flags(sender, instance, update_fields=None, **kwargs):
    if instance.pk is None or (update_fields is not None and not set(update_fields) & set(_ROLE_FLAGS)):
        instance._security_role_flags = None
        return
    instance._security_role_flags = User._default_manager.filter(pk=instance.pk).values(*_ROLE_FLAGS).first()


@receiver(post_save, sender=User, dispatch_uid="security.role_flags_after")
def _role_flags_changed(sender, instance, created, **kwargs):
    before = getattr(instance, "_security_role_flags", None)
    if created:
        before = dict.fromkeys(_ROLE_FLAGS, False)
    if before is None:
        return
    changes = {
        flag: [before[flag], getattr(instance, flag)] for flag in _ROLE_FLAGS if before[flag] != getattr(instance, flag)
    }
    if changes:
        record_security_event(kind=SecurityEventKind.ROLE_CHANGED, user=instance, details=changes)


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="security.groups_changed")
def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear":
        # Which groups go is known only before they are gone.
        users = [instance] if not reverse else list(instance.user_set.all())
        for user in users:
            user._security_cleared_groups = sorted(user.groups.values_list("name", flat=True))
        if reverse:
            instance._security_cleared_users = users
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    change = "added" if action == "post_add" else "removed"
    if action == "post_clear":
        users = getattr(instance, "_security_cleared_users", None) or [instance]
        for user in users:
            names = getattr(user, "_security_cleared_groups", [])
            if names:
                record_security_event(kind=SecurityEventKind.ROLE_CHANGED, user=user, details={"removed": names})
        return
    if not pk_set:
        return
    if reverse:  # group.user_set.add(users…)
        for user in User._default_manager.filter(pk__in=pk_set):
            record_security_event(kind=SecurityEventKind.ROLE_CHANGED, user=user, details={change: [instance.name]})
    else:  # user.groups.add(groups…)
        names = sorted(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
        record_security_event(kind=SecurityEventKind.ROLE_CHANGED, user=instance, details={change: names})
