"""Writing the security log. Every sign-in, lockout, second-factor change, role change and
export goes through record_security_event, which reads the client's address the one way the
project does (kayse.client_ip)."""

import json
from contextvars import ContextVar
from ipaddress import ip_address

from django.core.serializers.json import DjangoJSONEncoder

from kayse.client_ip import client_ip
from security.models import SecurityEvent

# The request being served, for events raised from model signals (a role changed in the
# admin) that are not handed one. Set by security.middleware.CurrentRequestMiddleware.
current_request: ContextVar = ContextVar("security_current_request", default=None)


def record_security_event(*, kind: str, request=None, user=None, username: str = "", details=None) -> SecurityEvent:
    """Append one event. `user` is the account it is about; `request`, when left out, is the
    request being served (if any), whose address, browser and signed-in user are kept."""
    request = request if request is not None else current_request.get()
    details = dict(details or {})
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if request is not None:
        actor = getattr(request, "user", None)
        if getattr(actor, "is_authenticated", False) and (user is None or actor.pk != user.pk):
            details.setdefault("by", actor.get_username())
        details.setdefault("path", request.path[:300])
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        client_ip=_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else "",
        details=json.loads(json.dumps(details, cls=DjangoJSONEncoder)),
    )


def _address(request) -> str | None:
    if request is None:
        return None
    address = client_ip(request)
    try:
        ip_address(address)
    except ValueError:
        return None
    return address
