"""Private file storage: files under PRIVATE_STORAGE_ROOT, with no public URL at all.
Files are only ever served by views that check who is asking."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    def __init__(self):
        super().__init__(location=settings.PRIVATE_STORAGE_ROOT, base_url=None)

    def url(self, name):
        raise NotImplementedError("Private files have no public URL; serve them through a view that checks access.")


def private_storage():
    return PrivateStorage()


def random_upload_name(instance, filename: str) -> str:
    """A random stored name: the original name stays in the database only."""
    suffix = PurePath(filename).suffix.lower()[:10]
    token = uuid.uuid4().hex
    return f"documents/{token[:2]}/{token}{suffix if suffix.isascii() else ''}"


def random_bundle_name(instance, filename: str) -> str:
    return f"bundles/{uuid.uuid4().hex}.zip"
