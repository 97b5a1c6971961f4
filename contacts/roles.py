"""The firm's two staff roles. Admins may import, merge and manage everything; Staff work
with contacts and cases day to day. Kept in step with the models after every migrate."""

from django.conf import settings
from django.contrib.auth.models import Group, Permission

ADMIN = "Admin"
STAFF = "Staff"
APPS = ["contacts", "cases", "documents", "portal", "activity"]
# Only Admins read the security log, lift sign-in lockouts (django-axes' attempts) and change
# the firm's settings and users (everyone signed in may read the settings), and manage API
# tokens and webhooks.
ADMIN_ONLY_APPS = ["security", "axes", "firm", "api"]
ROLES = (ADMIN, STAFF)
STAFF_ONLY_EXCLUDED = {"merge_contact", "import_contacts", "delete_contact", "delete_case"}
# Exports carry dates of birth and addresses in bulk: Admins only, unless the firm lets Staff
# (STAFF_MAY_EXPORT). The setting decides both ways at every migrate.
EXPORT = "export_contacts"


def ensure_roles(**kwargs) -> None:
    permissions = Permission.objects.filter(content_type__app_label__in=APPS + ADMIN_ONLY_APPS).select_related(
        "content_type"
    )
    admin_group, _ = Group.objects.get_or_create(name=ADMIN)
    staff_group, _ = Group.objects.get_or_create(name=STAFF)
    admin_group.permissions.add(*permissions)
    staff_permissions = [
        permission
        for permission in permissions
        if permission.content_type.app_label in APPS
        and permission.codename not in STAFF_ONLY_EXCLUDED
        and (permission.codename != EXPORT or settings.STAFF_MAY_EXPORT)
        and not (permission.content_type.app_label == "activity" and not permission.codename.startswith("view_"))
    ]
    staff_group.permissions.add(*staff_permissions)
    if not settings.STAFF_MAY_EXPORT:
        staff_group.permissions.remove(*Permission.objects.filter(content_type__app_label="contacts", codename=EXPORT))
