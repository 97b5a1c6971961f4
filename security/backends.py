"""Django's model permissions, read in one statement."""

from django.contrib.auth.backends import ModelBackend
from django.db import connection

# A user's own permissions and their groups' (django.contrib.auth's tables), as "app_label.codename".
_PERMISSIONS = """
    SELECT ct.app_label, p.codename FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id
    WHERE p.id IN (
        SELECT permission_id FROM auth_user_user_permissions WHERE user_id = %s
        UNION
        SELECT gp.permission_id FROM auth_group_permissions gp
        JOIN auth_user_groups ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s
    )
"""
_EVERY_PERMISSION = (
    "SELECT ct.app_label, p.codename FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id"
)


class PermissionBackend(ModelBackend):
    """ModelBackend, with a user's own and their groups' permissions read in one statement
    instead of two ORM queries (about a seventh of a Contacts list request, for its Export
    button). The set is kept on the request's user object only, as ModelBackend keeps it, so a
    changed permission counts from the next request."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            with connection.cursor() as cursor:
                if user_obj.is_superuser:
                    cursor.execute(_EVERY_PERMISSION)
                else:
                    cursor.execute(_PERMISSIONS, [user_obj.pk, user_obj.pk])
                user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in cursor.fetchall()}
        return user_obj._perm_cache
