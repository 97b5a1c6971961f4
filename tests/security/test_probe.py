"""The attacks of issue 15, tried against the app running for real.

pytest-django's `live_server` serves the project over HTTP in a thread; the probe talks to
it the way a script on the internet would: plain HTTP (urllib), its own cookie jar, no
redirects followed, forms posted with the token read from the page. Settings changed with
the `settings` fixture are the live server's too (one process, one settings object).
"""

import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.cache import cache

from contacts.tests.factories import ContactFactory, UserFactory, admin_user
from documents.tests.factories import PDF_BYTES, make_document
from portal.tests.factories import contact_on_case, issued_link

pytestmark = [pytest.mark.probe, pytest.mark.django_db(transaction=True)]

RIGHT = "correct horse battery"
PAYLOADS = '<p>Kept text</p><img src=x onerror=alert(1)><script>alert(1)</script><a href="javascript:alert(1)">x</a>'
JUNK_ADDRESS = "203.0.113.66"
CONTACT_ADDRESS = "198.51.100.7"
JUNK_REQUESTS = 1000
HARDENING_HEADERS = {
    "Content-Security-Policy": "default-src 'self'",
    "Permissions-Policy": "camera=()",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def cookie(self, name: str) -> str:
        """The Set-Cookie line for one cookie, as sent ("" when it was not set)."""
        return next((line for line in self.headers.get_all("Set-Cookie") or [] if line.startswith(f"{name}=")), "")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


class Visitor:
    """Someone with a browser-like cookie jar and no JavaScript, at the live server."""

    def __init__(self, base_url: str, **headers):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects())
        self.headers = headers

    def request(self, method: str, path: str, data: dict | None = None, **headers) -> Response:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(
            self.base_url + path, data=body, method=method, headers={**self.headers, **headers}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return Response(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
            with error:
                return Response(error.code, error.headers, error.read())

    def get(self, path: str, **headers) -> Response:
        return self.request("GET", path, **headers)

    def post(self, path: str, data: dict, **headers) -> Response:
        return self.request("POST", path, data, **headers)

    def form_token(self, path: str) -> str:
        """The CSRF token of the form on a page, as a browser would submit it."""
        page = self.get(path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert match, f"no CSRF token on {path} ({page.status})"
        return match[1]

    def submit(self, path: str, data: dict, **headers) -> Response:
        """Fill in the form at `path` and send it, token included."""
        return self.post(path, {"csrfmiddlewaretoken": self.form_token(path), **data}, **headers)

    def sign_in(self, username: str, password: str = RIGHT, path: str = "/login/") -> Response:
        return self.submit(path, {"username": username, "password": password})

    def has_cookie(self, name: str) -> bool:
        return any(cookie.name == name for cookie in self.jar)


@pytest.fixture(autouse=True)
def private_cache(settings):
    """The live server counts portal requests in this cache (locmem is shared by its threads)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "probe"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def visitor(live_server) -> Visitor:
    return Visitor(live_server.url)


def signed_in(visitor: Visitor) -> bool:
    return visitor.get("/contacts/").status == 200


# --- Guessing passwords ---------------------------------------------------------------------


def test_ten_wrong_passwords_on_the_sign_in_page_then_the_right_one_is_refused(visitor):
    UserFactory(username="pat")
    answers = [visitor.sign_in("pat", "wrong").status for _ in range(10)]
    assert answers == [200] * 9 + [429]  # the form again, "didn't match"; the tenth locks
    locked = visitor.sign_in("pat", RIGHT)
    assert locked.status == 429 and "Too many failed sign-ins" in locked.text
    assert not visitor.has_cookie(django_settings.SESSION_COOKIE_NAME) and not signed_in(visitor)


def test_ten_wrong_passwords_on_the_admin_sign_in_then_the_right_one_is_refused(visitor):
    admin_user(username="ada", is_staff=True, is_superuser=True)
    answers = [visitor.sign_in("ada", "wrong", path="/admin/login/").status for _ in range(10)]
    assert answers == [200] * 9 + [429]
    locked = visitor.sign_in("ada", RIGHT, path="/admin/login/")
    assert locked.status == 429
    assert visitor.get("/admin/").status == 302 and not signed_in(visitor)


# --- Script in a note -----------------------------------------------------------------------


def test_a_note_with_script_saved_in_the_admin_shows_without_it(visitor):
    get_user_model().objects.create_superuser("root", "root@example.com", RIGHT)
    contact = ContactFactory(first_name="Rosa")
    assert visitor.sign_in("root").status == 302
    saved = visitor.submit("/admin/contacts/note/add/", {"contact": contact.pk, "body_html": PAYLOADS})
    assert saved.status == 302, saved.text[:500]

    notes_tab = visitor.get(f"/contacts/{contact.pk}/notes/")
    assert notes_tab.status == 200 and "Kept text" in notes_tab.text
    for payload in ("onerror", "alert(1)", "javascript:", "<script>", "<img"):
        assert payload not in notes_tab.text, payload


# --- Flooding the portal from one address behind the proxy ----------------------------------


def test_junk_portal_requests_from_one_address_do_not_stop_another_addresss_link(visitor, settings):
    settings.TRUSTED_PROXY_HOPS = 1  # the live server reads it per request
    contact, case = contact_on_case(first_name="Rosa")
    _link, token = issued_link(contact, case=case)

    started = time.monotonic()
    junk = [visitor.get(f"/p/junk-{n}/", **{"X-Forwarded-For": JUNK_ADDRESS}).status for n in range(JUNK_REQUESTS)]
    seconds = time.monotonic() - started

    assert junk[:30] == [404] * 30 and set(junk[30:]) == {429}
    assert seconds < 40, f"{JUNK_REQUESTS} requests took {seconds:.1f} s"
    rosa = Visitor(visitor.base_url, **{"X-Forwarded-For": CONTACT_ADDRESS})
    page = rosa.get(f"/p/{token}/")
    assert page.status == 200 and "Hello Rosa" in page.text
    entered = rosa.submit(f"/p/{token}/", {})
    assert entered.status == 302 and entered.location == "/portal/"
    assert rosa.get("/portal/").status == 200


def test_an_unknown_portal_token_is_a_plain_404(visitor):
    response = visitor.get("/p/" + "A" * 43 + "/")
    assert response.status == 404
    assert django_settings.FIRM_NAME in response.text  # the firm's page for a dead link, not an error


# --- Staff pages, exports and private files --------------------------------------------------


def test_staff_may_not_export(visitor):
    UserFactory(username="pat")
    assert visitor.sign_in("pat").status == 302
    token = visitor.form_token("/contacts/")
    export = visitor.post("/contacts/export/", {"csrfmiddlewaretoken": token, "fields": "first_name", "format": "csv"})
    assert export.status == 403 and "text/csv" not in export.headers.get("Content-Type", "")
    assert visitor.get("/contacts/export/").status == 403


def test_staff_pages_are_not_stored_and_every_response_carries_the_hardening_headers(visitor):
    UserFactory(username="pat")
    contact, case = contact_on_case()
    _link, token = issued_link(contact, case=case)
    responses = {"sign-in page": visitor.get("/login/"), "health check": visitor.get("/healthz")}
    responses["signed in"] = visitor.sign_in("pat")
    for path in ("/", "/contacts/", f"/contacts/{contact.pk}/", "/contacts/export/", "/no-such-page/"):
        responses[path] = visitor.get(path)
    contact_side = Visitor(visitor.base_url)
    responses["portal link"] = contact_side.get(f"/p/{token}/")
    responses["portal entry"] = contact_side.submit(f"/p/{token}/", {})
    responses["portal home"] = contact_side.get("/portal/")
    statuses = [responses[path].status for path in ("/", "/contacts/", "/contacts/export/", "/no-such-page/")]
    assert statuses == [302, 200, 403, 404]

    for label, response in responses.items():
        for header, expected in HARDENING_HEADERS.items():
            assert expected in response.headers.get(header, ""), (label, header, response.headers.get(header))
    for label in ("/contacts/", f"/contacts/{contact.pk}/", "/contacts/export/", "portal home"):
        assert "no-store" in responses[label].headers["Cache-Control"], label


def test_the_session_cookies_are_http_only_and_same_site(visitor):
    UserFactory(username="pat")
    signed = visitor.sign_in("pat")
    session_cookie = signed.cookie(django_settings.SESSION_COOKIE_NAME).lower()
    assert "httponly" in session_cookie and "samesite=lax" in session_cookie
    assert "samesite=lax" in signed.cookie(django_settings.CSRF_COOKIE_NAME).lower()

    contact, case = contact_on_case()
    _link, token = issued_link(contact, case=case)
    entered = Visitor(visitor.base_url).submit(f"/p/{token}/", {})
    portal_cookie = entered.cookie(django_settings.PORTAL_SESSION_COOKIE).lower()
    assert "httponly" in portal_cookie and "samesite=lax" in portal_cookie and "path=/portal/" in portal_cookie


def test_a_private_document_is_only_served_to_a_signed_in_user(visitor):
    contact = ContactFactory()
    document = make_document(contact)
    download = f"/contacts/{contact.pk}/documents/{document.pk}/download/"

    refused = visitor.get(download)
    assert refused.status == 302 and refused.location.startswith("/login/?next=")
    assert PDF_BYTES not in refused.body
    # Nor is the stored file under any public address.
    for public in ("/media/", "/media-unused/", "/static/", "/"):
        response = visitor.get(public + document.file.name)
        assert response.status in (302, 404) and PDF_BYTES not in response.body, public

    UserFactory(username="pat")
    visitor.sign_in("pat")
    served = visitor.get(download)
    assert served.status == 200 and served.body == PDF_BYTES
    assert served.headers["Content-Disposition"].startswith("attachment")


def test_a_sign_in_without_the_csrf_token_is_refused(visitor):
    UserFactory(username="pat")
    visitor.get("/login/")  # the CSRF cookie is set; a forged form on another site has no token
    response = visitor.post("/login/", {"username": "pat", "password": RIGHT})
    assert response.status == 403
    assert not visitor.has_cookie(django_settings.SESSION_COOKIE_NAME)
