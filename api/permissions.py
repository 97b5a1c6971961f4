"""Each view names the scope each method needs (`scopes`) and, where the web needs one, the
Django permission (`permissions`): a token can never do more than its user could."""

from rest_framework import exceptions, permissions


class ScopeMissing(exceptions.PermissionDenied):
    default_code = "insufficient_scope"


class HasScope(permissions.BasePermission):
    def has_permission(self, request, view):
        token = request.auth
        if token is None or not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        scope = getattr(view, "scopes", {}).get(request.method, "read" if request.method == "HEAD" else None)
        if scope is None or scope not in token.scopes:
            raise ScopeMissing(f"This call needs a token with the “{scope}” scope.")
        needed = getattr(view, "permissions", {}).get(request.method)
        if needed and not request.user.has_perm(needed):
            raise exceptions.PermissionDenied("The token's user may not do this.")
        return True
