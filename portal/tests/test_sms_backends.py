"""SMS backends: the file backend feeds the outbox; Twilio's request against a local server."""

import base64
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from portal import sms


class FakeTwilio(BaseHTTPRequestHandler):
    """A real HTTP server standing in for api.twilio.com, recording what it received."""

    received: list = []
    status = 201

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        FakeTwilio.received.append(
            {"path": self.path, "auth": self.headers["Authorization"], "form": urllib.parse.parse_qs(body.decode())}
        )
        self.send_response(FakeTwilio.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        payload = {"sid": "SM1"} if FakeTwilio.status < 400 else {"message": "The 'To' number is not valid."}
        self.wfile.write(json.dumps(payload).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def twilio(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeTwilio.received = []
    FakeTwilio.status = 201
    settings.SMS_BACKEND = "portal.sms.TwilioBackend"
    settings.TWILIO_API_URL = f"http://127.0.0.1:{server.server_port}"
    settings.TWILIO_ACCOUNT_SID = "AC123"
    settings.TWILIO_AUTH_TOKEN = "secret"
    settings.TWILIO_FROM = "+13125550000"
    yield FakeTwilio
    server.shutdown()


def test_twilio_backend_posts_the_message_with_basic_auth(twilio):
    sms.send_sms(to="+13125550101", body="Hi Rosa: https://example.com/p/abc/")
    [request] = twilio.received
    assert request["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert request["auth"] == "Basic " + base64.b64encode(b"AC123:secret").decode()
    assert request["form"] == {
        "To": ["+13125550101"],
        "From": ["+13125550000"],
        "Body": ["Hi Rosa: https://example.com/p/abc/"],
    }


def test_twilio_refusals_say_why(twilio):
    twilio.status = 400
    with pytest.raises(sms.SmsError, match="The 'To' number is not valid"):
        sms.send_sms(to="+1", body="x")


def test_twilio_without_credentials_is_a_clear_error(twilio, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    with pytest.raises(sms.SmsError, match="Twilio is not configured"):
        sms.send_sms(to="+13125550101", body="x")


def test_file_backend_writes_one_json_file_a_message(settings, tmp_path):
    settings.SMS_BACKEND = "portal.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path)
    sms.send_sms(to="+13125550101", body="hello")
    [path] = tmp_path.glob("*.json")
    assert json.loads(path.read_text())["body"] == "hello"
