"""Webhook deliveries in the background: one attempt per run, retried with exponential back-off."""

from celery import shared_task

from api import webhooks


@shared_task(name="api.deliver_webhook", bind=True, max_retries=None, acks_late=True)
def deliver_webhook(self, delivery_id: int) -> bool:
    if webhooks.deliver(delivery_id):
        return True
    from api.models import WebhookDelivery

    attempts = WebhookDelivery.objects.filter(pk=delivery_id).values_list("attempts", flat=True).first() or 1
    raise self.retry(countdown=webhooks.retry_delay(attempts))


@shared_task(name="api.deliver_due_webhooks")
def deliver_due_webhooks() -> int:
    """Beat: re-queue deliveries whose retry was lost (a worker died holding it)."""
    due = webhooks.due_deliveries()
    for delivery_id in due:
        deliver_webhook.delay(delivery_id)
    return len(due)
