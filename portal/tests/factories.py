"""Helpers that make portal links the way the services do, returning the token too."""

import datetime

from django.utils import timezone

from cases.tests.factories import CaseContactFactory, CaseFactory
from contacts.tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory
from portal.models import DeliveryStatus, PortalLink
from portal.services import hash_token, new_token

FORM_FIELDS = [
    {"name": "full_name", "label": "Full legal name", "type": "text", "required": True},
    {"name": "incident_date", "label": "Date of the incident", "type": "date", "required": True},
    {"name": "treated", "label": "Did you see a doctor?", "type": "yesno", "required": True},
    {"name": "injury", "label": "Main injury", "type": "choice", "choices": ["Back", "Neck", "Other"]},
    {"name": "signature", "label": "Type your name to sign", "type": "signature", "required": True},
]


def contact_on_case(**contact_fields):
    """A contact with a mobile phone and an email, as client on a new case."""
    contact = ContactFactory(**contact_fields)
    ContactPhoneFactory(contact=contact, line_type="mobile")
    ContactEmailFactory(contact=contact)
    case = CaseFactory()
    CaseContactFactory(case=case, contact=contact)
    return contact, case


def issued_link(contact, *, case=None, task=None, expires_in=datetime.timedelta(days=7), **fields) -> tuple:
    """(link, token) for a link that was sent."""
    token = new_token()
    link = PortalLink.objects.create(
        token_hash=hash_token(token),
        contact=contact,
        case=case or (task.case if task else None),
        task=task,
        channel=fields.pop("channel", "sms"),
        sent_to=fields.pop("sent_to", "+13125550000"),
        expires_at=timezone.now() + expires_in,
        delivery_status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
        **fields,
    )
    return link, token
