"""The load test of scripts/prod-smoke.sh: staff browsing, an admin importing, contacts on the portal.

    locust -f bench/load/locustfile.py --headless -u 50 -t 2m --host http://127.0.0.1:8000

Needs LOAD_FIXTURES (written by bench/load/prepare.py). Requests are named by page type, so
Locust's statistics give a p95 per page type. Any status of 400 or more, and any page that does
not show what it should, is a failure; scripts/prod-smoke.sh fails on one.

- Staff (most users): the contacts list with each Login Source filter and deep pages, name
  searches, a profile and its tabs, Download All (asked for, waited on, downloaded) and now and
  then a portal link shared by email.
- Admin (one user): imports a small CSV through the wizard again and again: upload, map,
  preview (a dry run in the worker), run (in the worker), result.
- Contacts (a few users): open a portal link (the one-tap page, then the POST that starts a
  session) and read the portal's pages.
"""

import json
import os
import random
import re
import time
import uuid

from locust import HttpUser, between, task

FIXTURES = json.loads(open(os.environ["LOAD_FIXTURES"]).read())  # noqa: SIM115 - read once at start
PASSWORD = os.environ.get("LOAD_PASSWORD", "kayse-demo-2026")
LOGIN_SOURCES = ["all", "web", "mobile", "web_mobile", "not_installed"]
SURNAME_PREFIXES = ["ross", "mart", "garc", "smit", "john", "will", "brow", "jone", "mill", "davi", "murp", "pric"]
IMPORT_ROWS = int(os.environ.get("LOAD_IMPORT_ROWS", 120))
WAIT_SECONDS = float(os.environ.get("LOAD_TASK_WAIT", 60))
SELECTED = re.compile(r'<select name="(column_\d+)".*?</select>', re.S)
SELECTED_OPTION = re.compile(r'<option value="([^"]*)"[^>]*\bselected\b')


class Failed(Exception):
    pass


class Browser(HttpUser):
    abstract = True

    def csrf(self) -> dict:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", "")}

    def sign_in(self, username: str) -> None:
        self.client.get("/login/", name="sign-in")
        with self.client.post(
            "/login/",
            data={"username": username, "password": PASSWORD},
            headers=self.csrf(),
            name="sign-in",
            catch_response=True,
        ) as response:
            if "/login/" in response.url:
                response.failure(f"{username} could not sign in")

    def poll_json(self, url: str, *, name: str, done, success) -> dict:
        """GET url until done(json), at most LOAD_TASK_WAIT seconds (a lost task fails); the last
        answer fails unless success(json)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            with self.client.get(url, name=name, headers={"Accept": "application/json"}, catch_response=True) as r:
                state = r.json() if r.ok else {}
                if done(state):
                    if not success(state):
                        r.failure(f"ended as {state}")
                        raise Failed(url)
                    return state
                if time.monotonic() > deadline:
                    r.failure(f"still not done after {WAIT_SECONDS:.0f} s: {state}")
                    raise Failed(url)
            time.sleep(0.5)


class Staff(Browser):
    weight = 8
    wait_time = between(1, 3)

    def on_start(self):
        self.sign_in("paralegal")

    @task(6)
    def contact_list(self):
        source = random.choice(LOGIN_SOURCES)
        self.client.get("/contacts/", params={"login_source": source}, name="list ?login_source")

    @task(2)
    def deep_page(self):
        params = {"login_source": random.choice(LOGIN_SOURCES), "page": random.randint(2, 60)}
        self.client.get("/contacts/", params=params, name="list deep page")

    @task(4)
    def search(self):
        self.client.get("/contacts/", params={"q": random.choice(SURNAME_PREFIXES)}, name="search (name prefix)")

    @task(4)
    def profile(self):
        contact = random.choice(FIXTURES["contacts"])
        self.client.get(f"/contacts/{contact}/", name="profile")
        tab = random.choice(["tasks", "activity", "notes", "documents"])
        self.client.get(f"/contacts/{contact}/{tab}/", name=f"profile tab: {tab}")

    @task(1)
    def download_all(self):
        contact = random.choice(FIXTURES["contacts_with_documents"])
        with self.client.post(
            f"/contacts/{contact}/documents/download-all/",
            headers=self.csrf(),
            name="Download All (ask)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"expected a redirect to the bundle page, got {response.status_code}")
                return
            bundle_url = response.headers["Location"]
        try:
            state = self.poll_json(
                bundle_url,
                name="Download All (status)",
                done=lambda s: s.get("status") not in (None, "pending", "building"),
                success=lambda s: s.get("status") == "ready",
            )
        except Failed:
            return
        with self.client.get(state["download_url"], name="Download All (zip)", catch_response=True) as response:
            if not response.content.startswith(b"PK"):
                response.failure("the bundle is not a zip")

    @task(1)
    def share_link(self):
        if not FIXTURES["share"]:
            return
        target = random.choice(FIXTURES["share"])
        url = f"/cases/{target['case']}/share/{target['contact']}/"
        self.client.get(url, name="share link (dialog)")
        data = {
            "destination": target["destination"],
            "message": "Hi {first_name}, {firm} shared a secure link for your case: {link}",
            "second_factor": "",
            "expires_in_days": 7,
        }
        with self.client.post(
            url, data=data, headers=self.csrf(), name="share link (send)", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"the link was not shared ({response.status_code})")


class Admin(Browser):
    """One admin importing small files one after another."""

    fixed_count = 1
    wait_time = between(2, 5)

    def on_start(self):
        self.sign_in("admin")

    @task
    def import_file(self):
        batch = uuid.uuid4().hex[:10]
        lines = ["First Name,Last Name,Email,External ID"]
        lines += [f"Load{n},Import{batch},load.{batch}.{n}@example.com,LOAD-{batch}-{n}" for n in range(IMPORT_ROWS)]
        body = ("\n".join(lines) + "\n").encode()
        self.client.get("/settings/import/", name="import: upload page")
        with self.client.post(
            "/settings/import/",
            files={"file": (f"load-{batch}-{IMPORT_ROWS}.csv", body, "text/csv")},
            data={"encoding": ""},
            headers=self.csrf(),
            name="import: upload",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"upload refused ({response.status_code})")
                return
            map_url = response.headers["Location"]
        page = self.client.get(map_url, name="import: map columns").text
        data = {"duplicate_rule": "skip", "error_mode": "valid_rows", "encoding": "", "delimiter": ""}
        for block in SELECTED.finditer(page):
            choice = SELECTED_OPTION.search(block.group(0))
            data[block.group(1)] = choice.group(1) if choice else ""
        with self.client.post(
            map_url,
            data=data,
            headers=self.csrf(),
            name="import: map columns",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"mapping refused ({response.status_code})")
                return
        pk = map_url.rstrip("/").split("/")[-2]
        status_url = f"/settings/import/{pk}/status/"
        try:
            self.poll_json(
                status_url,
                name="import: status",
                done=lambda s: s.get("finished"),
                success=lambda s: s.get("status") == "previewed",
            )
            self.client.get(f"/settings/import/{pk}/preview/", name="import: preview")
            self.client.post(f"/settings/import/{pk}/run/", headers=self.csrf(), name="import: run")
            self.poll_json(
                status_url,
                name="import: status",
                done=lambda s: s.get("finished"),
                success=lambda s: s.get("status") == "done",
            )
        except Failed:
            return
        self.client.get(f"/settings/import/{pk}/result/", name="import: result")


class PortalContact(Browser):
    """A contact opening the link from their phone and reading the portal."""

    weight = 2
    wait_time = between(1, 4)
    user_agent = (
        "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0 Mobile Safari/537.36"
    )

    def on_start(self):
        self.client.headers["User-Agent"] = self.user_agent

    @task
    def visit(self):
        # Each link answers 60 requests per 10 minutes: spread the visits over every link.
        token = random.choice(FIXTURES["portal_tokens"])
        self.client.cookies.clear()
        self.client.get(f"/p/{token}/", name="portal: link page")
        with self.client.post(
            f"/p/{token}/", headers=self.csrf(), name="portal: open (POST)", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"the link did not open a session ({response.status_code})")
                return
        self.client.get("/portal/", name="portal: home")
        page = random.choice(["tasks", "messages", "documents", "appointments"])
        self.client.get(f"/portal/{page}/", name=f"portal: {page}")
