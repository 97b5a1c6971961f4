"""Keep the possible-duplicates queue current: a changed contact, phone or email is re-checked
in the background (contacts.tasks.schedule_duplicate_refresh)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from contacts.models import Contact, ContactEmail, ContactPhone


@receiver(post_save, sender=Contact, dispatch_uid="duplicates.contact_saved")
def contact_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        from contacts.tasks import schedule_duplicate_refresh

        schedule_duplicate_refresh([instance.pk])


@receiver(post_save, sender=ContactPhone, dispatch_uid="duplicates.phone_saved")
@receiver(post_save, sender=ContactEmail, dispatch_uid="duplicates.email_saved")
@receiver(post_delete, sender=ContactPhone, dispatch_uid="duplicates.phone_deleted")
@receiver(post_delete, sender=ContactEmail, dispatch_uid="duplicates.email_deleted")
def channel_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        from contacts.tasks import schedule_duplicate_refresh

        schedule_duplicate_refresh([instance.contact_id])
