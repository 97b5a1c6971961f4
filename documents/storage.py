"""Private file storage, with no public URL at all: files are only ever served by views
that check who is asking.

Local disk under PRIVATE_STORAGE_ROOT by default; an S3-compatible bucket (AWS, MinIO,
Ceph…) through django-storages when PRIVATE_STORAGE_S3_BUCKET is set. Either way, stored
names are random and the original name is kept in the database only."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import FileSystemStorage

NO_URL = "Private files have no public URL; serve them through a view that checks access."


class PrivateStorage(FileSystemStorage):
    def __init__(self):
        super().__init__(location=settings.PRIVATE_STORAGE_ROOT, base_url=None)

    def url(self, name):
        raise NotImplementedError(NO_URL)


def private_s3_storage(*, bucket: str, endpoint_url: str = "", region: str = "", prefix: str = ""):
    """A private bucket: objects uploaded with the `private` ACL, never overwritten, no URLs."""
    from storages.backends.s3 import S3Storage

    class PrivateS3Storage(S3Storage):
        def url(self, name, parameters=None, expire=None, http_method=None):
            raise NotImplementedError(NO_URL)

    return PrivateS3Storage(
        bucket_name=bucket,
        endpoint_url=endpoint_url or None,
        region_name=region or None,
        location=prefix,
        default_acl="private",
        file_overwrite=False,
        querystring_auth=True,
    )


def private_storage():
    if settings.PRIVATE_STORAGE_S3_BUCKET:
        return private_s3_storage(
            bucket=settings.PRIVATE_STORAGE_S3_BUCKET,
            endpoint_url=settings.PRIVATE_STORAGE_S3_ENDPOINT_URL,
            region=settings.PRIVATE_STORAGE_S3_REGION,
            prefix=settings.PRIVATE_STORAGE_S3_PREFIX,
        )
    return PrivateStorage()


def local_path(storage, name: str) -> str | None:
    """The file's path on local disk, or None for a remote storage such as S3."""
    try:
        return storage.path(name)
    except NotImplementedError:
        return None


def random_upload_name(instance, filename: str) -> str:
    """A random stored name: the original name stays in the database only."""
    suffix = PurePath(filename).suffix.lower()[:10]
    token = uuid.uuid4().hex
    return f"documents/{token[:2]}/{token}{suffix if suffix.isascii() else ''}"


def random_bundle_name(instance, filename: str) -> str:
    return f"bundles/{uuid.uuid4().hex}.zip"
