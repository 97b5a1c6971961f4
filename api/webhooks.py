"""Webhooks: a domain event (kayse.events) becomes one delivery per endpoint that asked for
it; a Celery task (api.tasks.deliver_webhook) sends it, signed, and retries with back-off.

Signature: `Kayse-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. The
receiver recomputes it, refuses an old `t` (replays) and drops a repeated `Kayse-Event-Id`
(a retry after a lost answer)."""

import datetime
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import uuid
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from api.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from kayse.events import domain_event

SIGNATURE_HEADER = "Kayse-Signature"
RESPONSE_EXCERPT = 500
# Back-off between attempts: 30 s, 1 min, 2 min, … capped at 6 hours.
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 6 * 3600


class UnsafeUrl(ValueError):
    """A webhook URL that points inside the firm's network (SSRF)."""


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, body: bytes, header: str, *, tolerance: int = 300, now: int | None = None) -> bool:
    """What a receiver does (and what the tests' receiver does)."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((int(time.time()) if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def check_url(url: str) -> None:
    """Refuse URLs that are not http(s) or whose host resolves to a private, loopback,
    link-local or reserved address, unless WEBHOOK_ALLOW_PRIVATE_URLS. Checked when the
    endpoint is saved and again before each delivery (DNS may have changed)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl("Use an http:// or https:// URL.")
    if settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError):
        raise UnsafeUrl(f"{parts.hostname} cannot be resolved.") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not address.is_global:
            raise UnsafeUrl(f"{parts.hostname} points at a private address ({address}); webhooks go out only.")


def _payload_data(event: str, data: dict) -> dict:
    """The event's data, with the contact as the API shows it for contact events."""
    from api.serializers import ContactSerializer
    from contacts.models import Contact

    body = dict(data)
    contact_id = data.get("contact_id")
    if contact_id and event.startswith("contact."):
        contact = Contact.objects.prefetch_related("phones", "emails").filter(pk=contact_id).first()
        if contact is not None:
            body["contact"] = ContactSerializer(contact).data
    return body


def queue_event(event: str, data: dict) -> list[WebhookDelivery]:
    """One delivery per active endpoint listening for `event`, each sent by a task."""
    endpoints = [endpoint for endpoint in WebhookEndpoint.objects.filter(is_active=True) if event in endpoint.events]
    if not endpoints:
        return []
    event_id = uuid.uuid4()
    payload = {
        "id": str(event_id),
        "event": event,
        "created_at": timezone.now(),
        "data": _payload_data(event, data),
    }
    payload = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    with transaction.atomic():
        deliveries = [
            WebhookDelivery.objects.create(
                endpoint=endpoint, event=event, event_id=event_id, payload=payload, next_attempt_at=timezone.now()
            )
            for endpoint in endpoints
        ]
    from api.tasks import deliver_webhook

    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: deliver_webhook.delay(pk), robust=True)
    return deliveries


@receiver(domain_event, dispatch_uid="api.webhooks.queue_event")
def _on_domain_event(sender, data, **kwargs):
    queue_event(sender, data)


def retry_delay(attempts: int) -> int:
    return min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


def deliver(delivery_id: int) -> bool:
    """One attempt: POST the payload, signed; record the answer. True when delivered (or
    nothing is left to do), False when it should be tried again later."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().select_related("endpoint").filter(pk=delivery_id).first()
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return True
        delivery.attempts += 1
        delivery.last_attempt_at = timezone.now()
        delivery.save(update_fields=["attempts", "last_attempt_at"])
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    status_code, excerpt = None, ""
    try:
        check_url(endpoint.url)
        response = requests.post(
            endpoint.url,
            data=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "Kayse-Webhooks/1",
                "Kayse-Event": delivery.event,
                "Kayse-Event-Id": str(delivery.event_id),
                SIGNATURE_HEADER: sign(endpoint.secret, body),
            },
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
        status_code, excerpt = response.status_code, response.text[:RESPONSE_EXCERPT]
    except (UnsafeUrl, requests.RequestException) as error:
        excerpt = f"{type(error).__name__}: {error}"[:RESPONSE_EXCERPT]
    delivered = status_code is not None and 200 <= status_code < 300
    now = timezone.now()
    fields = {"last_status_code": status_code, "last_response": excerpt}
    if delivered:
        fields.update(status=DeliveryStatus.DELIVERED, delivered_at=now, next_attempt_at=None)
    elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS or not endpoint.is_active:
        fields.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    else:
        fields.update(next_attempt_at=now + datetime.timedelta(seconds=retry_delay(delivery.attempts)))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    return delivered or fields.get("status") == DeliveryStatus.FAILED


def due_deliveries(*, now=None) -> list[int]:
    """Pending deliveries whose retry is overdue (their task was lost with a worker)."""
    now = now or timezone.now()
    late = now - datetime.timedelta(minutes=5)
    return list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lt=late).values_list(
            "pk", flat=True
        )[:1000]
    )
