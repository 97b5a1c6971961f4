"""SMS backends, shaped like Django's email backends: pick one with the SMS_BACKEND setting.

console and file for development, locmem for tests (messages land in ``portal.sms.outbox``),
and a real provider in production (its credentials from the environment).
"""

import base64
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass
class SmsMessage:
    to: str
    body: str
    sent_at: str = field(default_factory=lambda: timezone.now().isoformat())


outbox: list[SmsMessage] = []


class BaseBackend:
    def send(self, message: SmsMessage) -> None:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    def send(self, message):
        sys.stdout.write(f"SMS to {message.to}: {message.body}\n")


class FileBackend(BaseBackend):
    """One JSON file a message in SMS_FILE_PATH, like the file email backend."""

    def send(self, message):
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.json"
        (folder / name).write_text(json.dumps(asdict(message)))


class LocmemBackend(BaseBackend):
    def send(self, message):
        outbox.append(message)


class SmsError(Exception):
    """The provider did not accept the message; the text says why."""


class TwilioBackend(BaseBackend):
    """Twilio's Messages API, credentials from the environment (TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN, and TWILIO_FROM: a number or a Messaging Service SID)."""

    timeout = 15

    def send(self, message):
        sid, token, sender = settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_FROM
        if not (sid and token and sender):
            raise SmsError("Twilio is not configured: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM.")
        fields = {"To": message.to, "Body": message.body}
        fields["MessagingServiceSid" if sender.startswith("MG") else "From"] = sender
        request = urllib.request.Request(  # noqa: S310 (the API address comes from settings)
            f"{settings.TWILIO_API_URL}/2010-04-01/Accounts/{urllib.parse.quote(sid)}/Messages.json",
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Authorization": "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            try:
                detail = json.loads(error.read()).get("message", "")
            except ValueError:
                detail = ""
            raise SmsError(f"Twilio refused the message ({error.code}): {detail or error.reason}") from None
        except (urllib.error.URLError, TimeoutError) as error:
            raise SmsError(f"Twilio could not be reached: {getattr(error, 'reason', error)}") from None


def get_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, to: str, body: str) -> SmsMessage:
    message = SmsMessage(to=to, body=body)
    get_backend().send(message)
    return message
