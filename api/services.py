"""Writing API tokens: made and revoked by Admins (Django admin, `manage.py create_api_token`).

A token reads `kayse_<prefix>_<secret>`: the prefix finds the row, the SHA-256 of the secret
is compared in constant time. Each change is written to the security log."""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from api.models import ApiToken, Scope
from security.services import record_security_event

TOKEN_PREFIX = "kayse"
# last_used_at is written at most this often, not on every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class InvalidScopes(ValueError):
    pass


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def clean_scopes(scopes) -> list[str]:
    wanted = [scope.strip() for scope in scopes if scope and scope.strip()]
    unknown = sorted(set(wanted) - set(Scope.values))
    if unknown:
        raise InvalidScopes(f"Unknown scope(s): {', '.join(unknown)}. Choose from: {', '.join(Scope.values)}.")
    if not wanted:
        raise InvalidScopes("Give the token at least one scope.")
    return [scope for scope in Scope.values if scope in wanted]


def _name(user) -> str:
    return user.get_username() if user is not None else "manage.py"


def token_create(
    *, user, name: str, scopes, created_by=None, expires_at: datetime.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the token text, which is never shown again."""
    scopes = clean_scopes(scopes)
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    if expires_at is None:
        expires_at = timezone.now() + settings.API_TOKEN_TTL
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100] or "API token",
            prefix=prefix,
            secret_hash=hash_secret(secret),
            scopes=scopes,
            created_by=created_by,
            expires_at=expires_at,
        )
        record_security_event(
            kind="api_token",
            user=user,
            details={"action": "created", "token": f"{prefix}…", "scopes": scopes, "by": _name(created_by)},
        )
    return token, f"{TOKEN_PREFIX}_{prefix}_{secret}"


def token_revoke(*, token: ApiToken, user=None) -> ApiToken:
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record_security_event(
                kind="api_token",
                user=token.user,
                details={"action": "revoked", "token": f"{token.prefix}…", "by": _name(user)},
            )
    return token


def token_find(text: str) -> ApiToken | None:
    """The usable token `text` stands for, or None (unknown, wrong secret, revoked, expired)."""
    parts = (text or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1][:16]).first()
    if token is None or not hmac.compare_digest(token.secret_hash, hash_secret(parts[2])):
        return None
    if not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
