"""Celery tasks of the portal: thin wrappers round portal.services."""

from celery import shared_task

from portal import services


@shared_task(
    bind=True,
    name="portal.deliver_link",
    autoretry_for=(services.DeliveryError,),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def deliver_portal_link(self, link_id: int) -> str:
    """Send a shared link by SMS or email; provider failures are retried with backoff,
    and after the last try the link shows as failed on the case."""
    try:
        return services.deliver_link(link_id=link_id)
    except services.DeliveryError as error:
        if self.request.retries >= self.max_retries:
            services.record_delivery_gave_up(link_id=link_id, error=str(error))
            return f"failed: {error}"
        raise


@shared_task(name="portal.notify_staff_of_message", autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def notify_staff_of_message(message_id: int) -> list[str]:
    """Email staff that a contact wrote in the portal."""
    return services.notify_staff_of_message(message_id=message_id)
