"""SMS backends, shaped like Django's email backends: pick one with the SMS_BACKEND setting.

console and file for development, locmem for tests (messages land in ``portal.sms.outbox``),
and a real provider in production (its credentials from the environment).
"""

import json
import sys
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


def get_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, to: str, body: str) -> SmsMessage:
    message = SmsMessage(to=to, body=body)
    get_backend().send(message)
    return message
