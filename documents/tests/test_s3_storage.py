"""Documents and Download All on an S3-compatible bucket (django-storages), against a local
S3 server (moto's, a real HTTP endpoint speaking the S3 protocol through boto3)."""

import io
import socket
import zipfile

import pytest
from django.urls import reverse

from contacts.tests.factories import ContactFactory, UserFactory
from documents.models import Document, DownloadBundle
from documents.services import build_bundle, request_bundle
from documents.storage import private_s3_storage
from documents.tests.factories import JPEG_BYTES, PDF_BYTES, make_document

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3_bucket(monkeypatch):
    moto_server = pytest.importorskip("moto.server")
    boto3 = pytest.importorskip("boto3")
    for name, value in {
        "AWS_ACCESS_KEY_ID": "kayse-test",
        "AWS_SECRET_ACCESS_KEY": "kayse-test-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint)
    client.create_bucket(Bucket="kayse-private")
    storage = private_s3_storage(bucket="kayse-private", endpoint_url=endpoint, prefix="firm")
    # The storage is chosen from settings when the app starts; point both fields at the bucket.
    monkeypatch.setattr(Document._meta.get_field("file"), "storage", storage)
    monkeypatch.setattr(DownloadBundle._meta.get_field("file"), "storage", storage)
    yield client
    server.stop()


def test_documents_and_bundles_live_in_the_private_bucket(client, s3_bucket):
    user = UserFactory()
    client.force_login(user)
    contact = ContactFactory()
    document = make_document(contact, name="Informe médico.pdf", user=user)
    make_document(contact, name="photo.jpg", content=JPEG_BYTES)

    keys = [item["Key"] for item in s3_bucket.list_objects_v2(Bucket="kayse-private")["Contents"]]
    assert all(key.startswith("firm/documents/") for key in keys) and len(keys) == 2
    assert not any("Informe" in key for key in keys)  # random names only
    acl = s3_bucket.get_object_acl(Bucket="kayse-private", Key=f"firm/{document.file.name}")
    assert not any("AllUsers" in str(grant) for grant in acl["Grants"])
    with pytest.raises(NotImplementedError):
        document.file.url  # noqa: B018

    response = client.get(reverse("documents:download", args=[contact.pk, document.pk]))
    assert b"".join(response.streaming_content) == PDF_BYTES

    bundle = request_bundle(contact=contact, user=user, base_url="http://testserver/").bundle
    bundle = build_bundle(bundle_id=bundle.pk, base_url="http://testserver/")
    assert bundle.file.name.startswith("bundles/")
    download = client.get(reverse("documents:bundle_download", args=[contact.pk, bundle.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert sorted(archive.namelist()) == ["No case/Informe médico.pdf", "No case/photo.jpg", "index.csv"]
