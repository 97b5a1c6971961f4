"""Webhooks: a receiver on loopback checks each delivery's signature and gets each event once,
after a failed attempt and a retry; private addresses are refused unless allowed."""

import http.server
import json
import threading
from unittest import mock

import pytest

from api.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from api.webhooks import SIGNATURE_HEADER, UnsafeUrl, check_url, deliver, new_secret, retry_delay, sign, verify


class Receiver:
    """An HTTP server on 127.0.0.1 that answers with the next status of `statuses` (then 200),
    checks the signature and keeps each event id it accepted."""

    def __init__(self, secret: str, statuses=()):
        self.secret = secret
        self.statuses = list(statuses)
        self.accepted = []
        self.refused_signatures = 0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if not verify(receiver.secret, body, self.headers.get(SIGNATURE_HEADER, "")):
                    receiver.refused_signatures += 1
                    self.send_response(400)
                    self.end_headers()
                    return
                code = receiver.statuses.pop(0) if receiver.statuses else 200
                if code == 200 and self.headers["Kayse-Event-Id"] not in [e["id"] for e in receiver.accepted]:
                    receiver.accepted.append(json.loads(body))
                self.send_response(code)
                self.end_headers()
                self.wfile.write(b"ok" if code == 200 else b"try later")

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver_factory(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    started = []

    def start(secret, statuses=()):
        receiver = Receiver(secret, statuses)
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


def _endpoint(url, events=("contact.created",)):
    return WebhookEndpoint.objects.create(url=url, events=list(events), secret=new_secret())


def test_signature_round_trip_and_tampering():
    body = b'{"a":1}'
    header = sign("whsec_x", body, timestamp=1_700_000_000)
    assert verify("whsec_x", body, header, now=1_700_000_010)
    assert not verify("whsec_x", b'{"a":2}', header, now=1_700_000_010)
    assert not verify("whsec_y", body, header, now=1_700_000_010)
    assert not verify("whsec_x", body, header, now=1_700_000_000 + 3600)  # a replay, too late


def test_contact_created_is_delivered_once_after_a_failure_and_a_retry(
    api_client, receiver_factory, django_capture_on_commit_callbacks
):
    endpoint = _endpoint("http://placeholder.invalid/")
    receiver = receiver_factory(endpoint.secret, statuses=[500])
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.url)
    with mock.patch("api.tasks.deliver_webhook.delay") as queued, django_capture_on_commit_callbacks(execute=True):
        response = api_client.post("/api/v1/contacts/", {"first_name": "Rosa", "last_name": "Park"}, format="json")
    assert response.status_code == 201
    delivery = WebhookDelivery.objects.get()
    queued.assert_called_once_with(delivery.pk)

    assert deliver(delivery.pk) is False  # the receiver answered 500: try again later
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.PENDING, 1, 500)
    assert delivery.next_attempt_at is not None and delivery.last_response == "try later"

    assert deliver(delivery.pk) is True
    assert deliver(delivery.pk) is True  # a redelivered task: nothing is sent again
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 2, 200)
    assert receiver.refused_signatures == 0
    assert len(receiver.accepted) == 1
    event = receiver.accepted[0]
    assert event["event"] == "contact.created"
    assert event["data"]["contact"]["id"] == response.json()["id"]
    assert event["id"] == str(delivery.event_id)


def test_the_celery_task_retries_until_delivered(receiver_factory, db):
    from api.tasks import deliver_webhook
    from api.webhooks import queue_event

    endpoint = _endpoint("http://placeholder.invalid/", events=["import.finished"])
    receiver = receiver_factory(endpoint.secret, statuses=[503, 500])
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.url)
    with mock.patch("api.tasks.deliver_webhook.delay"):
        (delivery,) = queue_event("import.finished", {"import_batch_id": 7})
    with mock.patch("api.tasks.deliver_webhook.retry", side_effect=RuntimeError("retry")) as retry:
        for _attempt in range(2):
            with pytest.raises(RuntimeError):
                deliver_webhook.apply(args=[delivery.pk], throw=True)
        assert [call.kwargs["countdown"] for call in retry.call_args_list] == [retry_delay(1), retry_delay(2)]
        assert deliver_webhook.apply(args=[delivery.pk], throw=True).get() is True
    assert len(receiver.accepted) == 1
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


def test_gives_up_after_the_last_attempt(receiver_factory, db, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    endpoint = _endpoint("http://placeholder.invalid/")
    receiver = receiver_factory(endpoint.secret, statuses=[500, 500, 500])
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.url)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="contact.created", event_id="8d0e7a0e-0d4e-4e57-8f59-1f0f6d1c1a11", payload={}
    )
    assert deliver(delivery.pk) is False
    assert deliver(delivery.pk) is True
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.next_attempt_at is None


def test_endpoints_not_listening_get_nothing(db, django_capture_on_commit_callbacks):
    from kayse import events

    _endpoint("https://example.com/hook", events=["contact.merged"])
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(events.CONTACT_CREATED, contact_id=1)
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/hook", "http://localhost:8000/", "http://10.0.0.5/", "http://[::1]/", "ftp://example.com/"],
)
def test_private_and_odd_urls_are_refused(settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    with pytest.raises(UnsafeUrl):
        check_url(url)


def test_a_refused_url_is_a_failed_attempt_not_a_request(db, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    endpoint = _endpoint("http://127.0.0.1:9/hook")
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="contact.created", event_id="8d0e7a0e-0d4e-4e57-8f59-1f0f6d1c1a12", payload={}
    )
    assert deliver(delivery.pk) is False
    delivery.refresh_from_db()
    assert "UnsafeUrl" in delivery.last_response and delivery.last_status_code is None


def test_a_real_worker_delivers_a_new_contact_to_the_receiver(celery_worker, make_client, monkeypatch, settings):
    import time

    monkeypatch.setenv("WEBHOOK_ALLOW_PRIVATE_URLS", "1")  # the worker is another process
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    endpoint = _endpoint("http://placeholder.invalid/")
    receiver = Receiver(endpoint.secret)
    try:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.url)
        worker = celery_worker()
        client = make_client(scopes=["write"])
        response = client.post("/api/v1/contacts/", {"first_name": "Ida", "last_name": "Wells"}, format="json")
        assert response.status_code == 201
        deadline = time.monotonic() + 60
        while not receiver.accepted and time.monotonic() < deadline:
            time.sleep(0.2)
        assert receiver.accepted, worker.output()[-3000:]
        assert receiver.accepted[0]["data"]["contact"]["id"] == response.json()["id"]
        while WebhookDelivery.objects.get().status != DeliveryStatus.DELIVERED and time.monotonic() < deadline:
            time.sleep(0.2)
        assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED
    finally:
        receiver.stop()
