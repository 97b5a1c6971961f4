"""Writes of the portal: sharing links (by SMS or email), revoking and resending them,
portal sessions, and what a contact does in the portal (forms, uploads, messages).

Each function runs in its own transaction and records an activity event.
"""

import datetime
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.models import EventType
from activity.services import record_event
from cases.models import Message, MessageChannel, MessageDirection, Task, TaskStatus
from contacts.calling_window import next_window_opening
from contacts.models import Contact, ContactEmail, ContactPhone, LineType, LoginChannel, LoginEvent, Sentiment
from firm.selectors import firm_setting
from kayse import events
from portal import sms
from portal.models import DeliveryStatus, LinkChannel, LinkPurpose, PortalLink, PortalSession, SecondFactor

TOKEN_BYTES = 32  # 256 bits; the design asks for at least 128
SESSION_TOUCH_EVERY = datetime.timedelta(seconds=60)
LINK_PLACEHOLDER = "{link}"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def portal_link_url(token: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{reverse('portal:entry', args=[token])}"


def portal_actor(contact: Contact) -> str:
    return f"Portal: {contact.display_name}"


# --- Whether a contact may be reached on a channel -----------------------------------


@dataclass
class Reachability:
    """The do-not-contact and calling-window decision for one channel and address."""

    channel: str
    blocked: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    send_after: datetime.datetime | None = None  # the window is closed: hold until then

    @property
    def allowed(self) -> bool:
        return not self.blocked


def contact_reachability(
    contact: Contact,
    *,
    channel: str,
    phone: ContactPhone | None = None,
    email: ContactEmail | None = None,
    now: datetime.datetime | None = None,
    actor=None,
    record: bool = True,
) -> Reachability:
    """Whether a portal link may go out by SMS or email now, from contacts.dnc's one rule
    (do_not_text / do_not_email / do_not_call, the Do-Not-Call lists, the calling window).

    What the portal adds: a landline cannot get a text, and a closed calling window does
    not refuse a text but holds it until the window opens (08:00 their time by default).
    With record=False the DNC lists are looked at without a compliance record (see check_number).
    """
    from contacts import dnc

    result = Reachability(channel=channel)
    if contact.merged_into_id or contact.archived_at:
        result.blocked.append("This contact was merged or archived.")
        return result
    if channel == LinkChannel.SMS:
        if phone is None:
            result.blocked.append("No phone number to text.")
            return result
        if phone.line_type == LineType.LANDLINE:
            result.blocked.append(f"{phone.number} is a landline and cannot receive text messages.")
            return result
        if phone.kind in ("home", "work") and not phone.line_type:
            result.warnings.append(f"{phone.number} is a {phone.kind} number: it may not receive texts.")
        decision = dnc.may_contact_now(
            contact=contact, channel=dnc.SMS, actor=actor, number=phone.number, now=now, record=record
        )
        window = decision.window
        window_reason = window.reason if window is not None and not window.allowed else None
        result.blocked.extend(reason for reason in decision.reasons if reason != window_reason)
        if window_reason and not result.blocked:
            result.send_after = next_window_opening(contact, primary_phone=phone.number, now=now)
            result.warnings.append(
                f"{window_reason} The text will go at {result.send_after:%H:%M} their time "
                f"({result.send_after:%a %b %-d}, {window.timezone_name})."
            )
    elif channel == LinkChannel.EMAIL:
        if email is None:
            result.blocked.append("No email address on file.")
            return result
        decision = dnc.may_contact_now(contact=contact, channel=dnc.EMAIL, actor=actor, now=now, record=record)
        result.blocked.extend(decision.reasons)
    else:
        result.blocked.append("Choose SMS or email.")
    return result


# --- Sharing links (staff side) -------------------------------------------------------


def default_message_template(contact: Contact) -> str:
    """The firm's message for the contact's language (Settings → Portal): Spanish or English."""
    spanish = (contact.language or "").lower().startswith("es")
    return firm_setting("PORTAL_MESSAGE_ES" if spanish else "PORTAL_MESSAGE_EN")


def render_message(template: str, *, contact: Contact, link_url: str) -> str:
    """Fill the placeholders by plain replacement (no str.format: a template is user text)."""
    first_name = contact.preferred_name or contact.first_name or contact.display_name
    return (
        template.replace("{first_name}", first_name)
        .replace("{firm}", firm_setting("FIRM_NAME"))
        .replace(LINK_PLACEHOLDER, link_url)
    )


def _placeholder_hash() -> str:
    """A hash nobody knows the token of: the link opens only once a token is sent."""
    return hash_token(secrets.token_hex(32) + "unsent")


def share_link(
    *,
    contact: Contact,
    user,
    channel: str,
    phone: ContactPhone | None = None,
    email: ContactEmail | None = None,
    case=None,
    task: Task | None = None,
    message_template: str = "",
    second_factor: str = SecondFactor.NONE,
    expires_in: datetime.timedelta | None = None,
    now: datetime.datetime | None = None,
) -> PortalLink:
    """Create a link for the contact and queue its delivery (held to the calling window)."""
    reach = contact_reachability(contact, channel=channel, phone=phone, email=email, now=now)
    if not reach.allowed:
        raise ValidationError(reach.blocked)
    template = (message_template or default_message_template(contact)).strip()
    if LINK_PLACEHOLDER not in template:
        raise ValidationError("The message must contain {link}, where the link goes.")
    if len(template) > 1000:
        raise ValidationError("The message is too long (1,000 characters at most).")
    if task is not None:
        case = task.case
    now = now or timezone.now()
    with transaction.atomic():
        link = PortalLink.objects.create(
            token_hash=_placeholder_hash(),
            contact=contact,
            case=case,
            task=task,
            purpose=LinkPurpose.TASK if task else LinkPurpose.CASE,
            channel=channel,
            sent_to=phone.number if channel == LinkChannel.SMS else email.email,
            expires_at=now + (expires_in or firm_setting("PORTAL_LINK_TTL")),
            second_factor=second_factor,
            message_template=template,
            delivery_status=DeliveryStatus.SCHEDULED if reach.send_after else DeliveryStatus.QUEUED,
            send_after=reach.send_after,
            created_by=user,
        )
        what = f"“{task.title}”" if task else "the case" if case else "the portal"
        when = f", held until {reach.send_after:%Y-%m-%d %H:%M %Z}" if reach.send_after else ""
        record_event(
            event_type=EventType.PORTAL_LINK,
            description=f"Portal link to {what} queued by {link.get_channel_display()} to {link.sent_to}{when}",
            contact_id=contact.pk,
            case_id=case.pk if case else None,
            user=user,
            data={"link": link.pk, "channel": channel, "send_after": reach.send_after},
        )
        _queue_delivery(link)
    return link


def _queue_delivery(link: PortalLink) -> None:
    from portal.tasks import deliver_portal_link

    eta = link.send_after if link.send_after and link.send_after > timezone.now() else None
    transaction.on_commit(lambda: deliver_portal_link.apply_async(args=[link.pk], eta=eta))


class DeliveryError(Exception):
    pass


DELIVERY_LOCK_SECONDS = 300


def deliver_link(*, link_id: int) -> str:
    """Send a queued link: a fresh token is made here, so it never sits in the broker or
    the database. Idempotent: a link already sent, revoked or expired is left alone, and a
    lock in the shared cache keeps two workers from sending the same link at once (a
    broker may deliver a held task twice)."""
    lock = f"portal-deliver:{link_id}"
    if not cache.add(lock, 1, timeout=DELIVERY_LOCK_SECONDS):
        return "already being sent"
    try:
        return _deliver_link(link_id)
    finally:
        cache.delete(lock)


def _deliver_link(link_id: int) -> str:
    with transaction.atomic():
        link = PortalLink.objects.select_for_update().select_related("contact").get(pk=link_id)
        if link.delivery_status == DeliveryStatus.SENT:
            return "already sent"
        if link.revoked_at or link.expires_at <= timezone.now():
            return "not sent: link revoked or expired"
        # The rules are checked again at sending: a held text may meet a new do_not_text.
        reach = _link_reachability(link)
        if not reach.allowed:
            reason = " ".join(reach.blocked)
            _record_delivery_failure(
                link, error=f"Not sent: {reason}", description=f"Portal link to {link.sent_to} not sent: {reason}"
            )
            return "not sent: " + reason
        if reach.send_after:
            link.delivery_status = DeliveryStatus.SCHEDULED
            link.send_after = reach.send_after
            link.save(update_fields=["delivery_status", "send_after"])
            _queue_delivery(link)
            return "held until the calling window opens"
        token = new_token()
        link.token_hash = hash_token(token)
        link.save(update_fields=["token_hash"])
    body = render_message(link.message_template, contact=link.contact, link_url=portal_link_url(token))
    try:
        if link.channel == LinkChannel.SMS:
            sms.send_sms(to=link.sent_to, body=body)
        else:
            EmailMessage(
                subject=_("Your secure link from %(firm)s") % {"firm": firm_setting("FIRM_NAME")},
                body=body,
                to=[link.sent_to],
            ).send(fail_silently=False)
    except Exception as error:  # any provider failure: shown on the case, retried by Celery
        PortalLink.objects.filter(pk=link.pk).update(
            delivery_status=DeliveryStatus.FAILED, delivery_error=str(error)[:300]
        )
        raise DeliveryError(str(error)) from error
    with transaction.atomic():
        PortalLink.objects.filter(pk=link.pk).update(
            delivery_status=DeliveryStatus.SENT, delivery_error="", sent_at=timezone.now()
        )
        record_event(
            event_type=EventType.PORTAL_LINK,
            description=f"Portal link sent by {link.get_channel_display()} to {link.sent_to}",
            contact_id=link.contact_id,
            case_id=link.case_id,
            actor_label="System",
            data={"link": link.pk, "channel": link.channel},
        )
    return "sent"


def _link_reachability(link: PortalLink) -> Reachability:
    contact = link.contact
    phone = contact.phones.filter(number=link.sent_to).first() if link.channel == LinkChannel.SMS else None
    email = contact.emails.filter(email=link.sent_to).first() if link.channel == LinkChannel.EMAIL else None
    return contact_reachability(contact, channel=link.channel, phone=phone, email=email)


def record_delivery_gave_up(*, link_id: int, error: str) -> None:
    with transaction.atomic():
        link = PortalLink.objects.get(pk=link_id)
        _record_delivery_failure(
            link, error=error, description=f"Portal link could not be sent to {link.sent_to}: {error}"
        )


def _record_delivery_failure(link: PortalLink, *, error: str, description: str) -> None:
    """Mark a link as not delivered, shown on the case, and log it (inside the caller's transaction)."""
    link.delivery_status = DeliveryStatus.FAILED
    link.delivery_error = error[:300]
    link.save(update_fields=["delivery_status", "delivery_error"])
    record_event(
        event_type=EventType.PORTAL_LINK,
        description=description[:500],
        contact_id=link.contact_id,
        case_id=link.case_id,
        actor_label="System",
        data={"link": link.pk},
    )


def revoke_link(*, link: PortalLink, user) -> PortalLink:
    """Revoke a link and end every portal session it started."""
    now = timezone.now()
    with transaction.atomic():
        link = PortalLink.objects.select_for_update().get(pk=link.pk)
        if link.revoked_at:
            return link
        link.revoked_at = now
        link.save(update_fields=["revoked_at"])
        PortalSession.objects.filter(link=link, ended_at__isnull=True).update(ended_at=now)
        record_event(
            event_type=EventType.PORTAL_LINK,
            description=f"Portal link sent to {link.sent_to} revoked",
            contact_id=link.contact_id,
            case_id=link.case_id,
            user=user,
            data={"link": link.pk},
        )
    return link


def resend_link(*, link: PortalLink, user) -> PortalLink:
    """Send the link again with a new token (the old one stops working) and a new expiry."""
    if link.revoked_at:
        raise ValidationError("A revoked link cannot be sent again: share a new one.")
    now = timezone.now()
    reach = _link_reachability(link)
    if not reach.allowed:
        raise ValidationError(reach.blocked)
    with transaction.atomic():
        link = PortalLink.objects.select_for_update().get(pk=link.pk)
        link.token_hash = _placeholder_hash()
        link.expires_at = now + firm_setting("PORTAL_LINK_TTL")
        link.delivery_status = DeliveryStatus.SCHEDULED if reach.send_after else DeliveryStatus.QUEUED
        link.delivery_error = ""
        link.send_after = reach.send_after
        link.save(update_fields=["token_hash", "expires_at", "delivery_status", "delivery_error", "send_after"])
        PortalSession.objects.filter(link=link, ended_at__isnull=True).update(ended_at=now)
        record_event(
            event_type=EventType.PORTAL_LINK,
            description=f"Portal link sent again by {link.get_channel_display()} to {link.sent_to}",
            contact_id=link.contact_id,
            case_id=link.case_id,
            user=user,
            data={"link": link.pk},
        )
        _queue_delivery(link)
    return link


# --- Opening links and portal sessions (contact side) ---------------------------------


def find_link(token: str) -> PortalLink | None:
    """The usable link for a token, else None. One indexed lookup whatever the outcome,
    so unknown, expired and revoked links take the same time."""
    digest = hash_token(token or "")
    link = PortalLink.objects.select_related("contact").filter(token_hash=digest).first()
    if link is None or not hmac.compare_digest(link.token_hash, digest) or not link.is_usable:
        return None
    if link.delivery_status != DeliveryStatus.SENT:
        return None
    return link


def check_second_factor(*, link: PortalLink, answer: str) -> bool:
    answer = (answer or "").strip()
    if link.second_factor == SecondFactor.PHONE_LAST4:
        digits = re.sub(r"\D", "", answer)
        numbers = list(link.contact.phones.values_list("number", flat=True))
        return len(digits) == 4 and any(hmac.compare_digest(n[-4:], digits) for n in numbers)
    if link.second_factor == SecondFactor.DATE_OF_BIRTH:
        try:
            given = datetime.date.fromisoformat(answer)
        except ValueError:
            return False
        return link.contact.date_of_birth is not None and given == link.contact.date_of_birth
    return True


MOBILE_UA = re.compile(r"Mobi|Android|iPhone|iPad|iPod|Windows Phone|Opera Mini|IEMobile", re.I)


def visit_channel(request) -> str:
    """Mobile or web: the installed app counts as mobile, then the Sec-CH-UA-Mobile hint,
    then the user agent."""
    if request.GET.get("source") == "pwa" or request.POST.get("display_mode") == "standalone":
        return LoginChannel.MOBILE
    hint = request.headers.get("Sec-CH-UA-Mobile", "").strip()
    if hint == "?1":
        return LoginChannel.MOBILE
    if hint == "?0":
        return LoginChannel.WEB
    return LoginChannel.MOBILE if MOBILE_UA.search(request.headers.get("User-Agent", "")) else LoginChannel.WEB


def record_login(*, contact: Contact, channel: str, user_agent: str, now: datetime.datetime) -> LoginEvent:
    """A LoginEvent, and the contact's last-login time and login_source with it."""
    event = LoginEvent.objects.create(contact=contact, channel=channel, occurred_at=now, user_agent=user_agent[:255])
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if channel == LoginChannel.MOBILE:
        contact.mobile_last_login_at = now
    else:
        contact.web_last_login_at = now
    contact.save(update_fields=["mobile_last_login_at", "web_last_login_at", "login_source"])
    return event


def start_session(*, link: PortalLink, request) -> str:
    """Start a portal session from a link: returns the cookie's key (only its hash is kept)."""
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    channel = visit_channel(request)
    with transaction.atomic():
        PortalSession.objects.create(
            key_hash=hash_token(key), link=link, contact=link.contact, channel=channel, last_seen_at=now
        )
        first = link.first_used_at is None
        PortalLink.objects.filter(pk=link.pk).update(first_used_at=link.first_used_at or now, last_used_at=now)
        record_login(contact=link.contact, channel=channel, user_agent=request.headers.get("User-Agent", ""), now=now)
        record_event(
            event_type=EventType.PORTAL_VISIT,
            description=f"Opened the portal link ({channel}){' for the first time' if first else ''}",
            contact_id=link.contact_id,
            case_id=link.case_id,
            actor_label=portal_actor(link.contact),
            data={"link": link.pk, "channel": channel},
        )
    return key


def find_session(key: str) -> PortalSession | None:
    """The live session for a cookie key: not ended, not idle too long, its link still usable."""
    if not key:
        return None
    session = (
        PortalSession.objects.select_related("link", "contact", "link__contact", "link__task")
        .filter(key_hash=hash_token(key), ended_at__isnull=True)
        .first()
    )
    if session is None:
        return None
    now = timezone.now()
    if now - session.last_seen_at > settings.PORTAL_SESSION_IDLE or not session.link.is_usable:
        PortalSession.objects.filter(pk=session.pk).update(ended_at=now)
        return None
    if now - session.last_seen_at > SESSION_TOUCH_EVERY:
        PortalSession.objects.filter(pk=session.pk).update(last_seen_at=now)
    return session


def end_session(*, session: PortalSession) -> None:
    PortalSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(ended_at=timezone.now())


def record_pwa_launch(*, session: PortalSession, request) -> None:
    """Opening the installed portal from the home screen counts as a mobile login."""
    with transaction.atomic():
        record_login(
            contact=session.contact,
            channel=LoginChannel.MOBILE,
            user_agent=request.headers.get("User-Agent", ""),
            now=timezone.now(),
        )
        record_event(
            event_type=EventType.PORTAL_VISIT,
            description="Opened the portal from the home-screen app (mobile)",
            contact_id=session.contact_id,
            case_id=session.link.case_id,
            actor_label=portal_actor(session.contact),
            data={"link": session.link_id, "channel": LoginChannel.MOBILE, "installed": True},
        )


# --- What a contact does in the portal -------------------------------------------------


def save_task_response(*, session: PortalSession, task: Task, response: dict, submit: bool) -> Task:
    """Save a draft or submit a form; a submitted form shows as submitted to staff at once."""
    contact = session.contact
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk, contact=contact)
        if task.status in (TaskStatus.SUBMITTED, TaskStatus.DONE, TaskStatus.CANCELLED):
            raise ValidationError(_("This form was already sent."))
        task.response = response
        fields = ["response", "status", "updated_at"]
        if submit:
            task.status = TaskStatus.SUBMITTED
            task.completed_at = timezone.now()
            fields.append("completed_at")
        else:
            task.status = TaskStatus.IN_PROGRESS
        task.save(update_fields=fields)
        record_event(
            event_type=EventType.TASK,
            description=f"{'Submitted' if submit else 'Saved a draft of'} “{task.title}” in the portal",
            contact_id=contact.pk,
            case_id=task.case_id,
            actor_label=portal_actor(contact),
            data={"task": task.pk, "submitted": submit},
        )
        if submit:
            events.publish(events.PORTAL_FORM_SUBMITTED, contact_id=contact.pk, case_id=task.case_id, task_id=task.pk)
    return task


def upload_documents(*, session: PortalSession, files, case=None) -> list:
    """Store files the contact sent from the portal as Documents "via Portal", with the
    documents app's rules (type from the bytes, size limit, virus scan), all or nothing."""
    from documents.services import upload_documents as store_documents
    from documents.validation import UploadRefused

    contact = session.contact
    try:
        return store_documents(
            contact=contact, files=files, case=case, via_portal=True, actor_label=portal_actor(contact)
        )
    except UploadRefused as error:
        raise ValidationError(str(error)) from None


_vader = None


def score_sentiment(text: str) -> float:
    """VADER's compound score (-1 … 1); its lexicon ships with the package, no network."""
    global _vader
    if _vader is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _vader = SentimentIntensityAnalyzer()
    return _vader.polarity_scores(text)["compound"]


def sentiment_label(score: float) -> str:
    if score >= 0.05:
        return Sentiment.POSITIVE
    if score <= -0.05:
        return Sentiment.NEGATIVE
    return Sentiment.NEUTRAL


def post_message(*, session: PortalSession, body: str, case=None) -> Message:
    """A message from the contact to the firm; it also updates the contact's sentiment."""
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write a message first."))
    if len(body) > 5000:
        raise ValidationError(_("The message is too long (5,000 characters at most)."))
    contact = session.contact
    now = timezone.now()
    score = score_sentiment(body)
    label = sentiment_label(score)
    with transaction.atomic():
        message = Message.objects.create(
            case=case,
            contact=contact,
            direction=MessageDirection.INBOUND,
            channel=MessageChannel.PORTAL,
            body=body,
            sent_at=now,
        )
        snippet = body if len(body) <= 80 else body[:77] + "…"
        Contact.objects.filter(pk=contact.pk).update(
            sentiment_label=label,
            sentiment_score=round(score, 3),
            sentiment_at=now,
            sentiment_reason=f"Portal message on {now:%Y-%m-%d}: “{snippet}”"[:300],
            last_activity_at=now,
        )
        record_event(
            event_type=EventType.MESSAGE,
            description=f"Message from the portal: “{snippet}”",
            contact_id=contact.pk,
            case_id=case.pk if case else None,
            actor_label=portal_actor(contact),
            data={"message": message.pk, "sentiment": label, "score": round(score, 3)},
        )
        from portal.tasks import notify_staff_of_message

        transaction.on_commit(lambda: notify_staff_of_message.delay(message.pk))
    return message


def message_recipients(message: Message) -> list[str]:
    """Who hears of a new portal message: the staff who last shared a link with the
    contact, else the firm's address."""
    sharer = (
        PortalLink.objects.filter(contact_id=message.contact_id, created_by__isnull=False)
        .exclude(created_by__email="")
        .select_related("created_by")
        .order_by("-created_at")
        .first()
    )
    return [sharer.created_by.email] if sharer else [firm_setting("FIRM_EMAIL")]


def notify_staff_of_message(*, message_id: int) -> list[str]:
    message = Message.objects.select_related("contact", "case").get(pk=message_id)
    recipients = message_recipients(message)
    if message.case_id:
        where = reverse("cases:messages", args=[message.case_id])
    else:
        where = f"{message.contact.get_absolute_url()}#portal-messages"
    EmailMessage(
        subject=f"New portal message from {message.contact.display_name}",
        body=(
            f"{message.contact.display_name} wrote in the portal:\n\n{message.body[:500]}\n\n"
            f"Read and answer: {settings.PORTAL_BASE_URL}{where}\n"
        ),
        to=recipients,
    ).send(fail_silently=False)
    return recipients


def reply_to_contact(*, contact: Contact, case, body: str, user) -> Message:
    """Staff answer in the portal thread."""
    body = (body or "").strip()
    if not body:
        raise ValidationError("Write a message first.")
    with transaction.atomic():
        message = Message.objects.create(
            case=case,
            contact=contact,
            direction=MessageDirection.OUTBOUND,
            channel=MessageChannel.PORTAL,
            body=body[:5000],
            author=user,
            sent_at=timezone.now(),
        )
        record_event(
            event_type=EventType.MESSAGE,
            description=f"Message to the contact in the portal: “{body[:80]}”",
            contact_id=contact.pk,
            case_id=case.pk if case else None,
            user=user,
            data={"message": message.pk},
        )
    return message
