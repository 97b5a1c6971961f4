"""Lighthouse (mobile form factor, simulated throttling) on every portal page.

    npm i -E lighthouse@12.2.3 --prefix var/lighthouse      # once (Lighthouse 13 wants Node 22)
    .venv/bin/python bench/portal_lighthouse.py [--lighthouse PATH] [--network slow4g|3g]

Builds a fresh database in a temp folder, a contact with a case, a form, an appointment and
a message, and a portal session; serves the app with DEBUG off (collected, compressed static
files, as in production) and prints each page's performance and accessibility scores and
bytes transferred. slow4g is Lighthouse's default mobile profile; 3g is its "regular 3G"
profile (300 ms RTT, 700 Kbps), for an old phone on a poor network.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NETWORKS = {
    "slow4g": [],
    "3g": [
        "--throttling.rttMs=300",
        "--throttling.throughputKbps=700",
        "--throttling.requestLatencyMs=1125",
        "--throttling.downloadThroughputKbps=630",
        "--throttling.uploadThroughputKbps=630",
        "--throttling.cpuSlowdownMultiplier=4",
    ],
}
SETUP = """
import datetime, json
from django.test import RequestFactory
from django.utils import timezone
from cases.models import Appointment, Message
from cases.tests.factories import TaskFactory
from portal import services
from portal.tests.factories import FORM_FIELDS, contact_on_case, issued_link
contact, case = contact_on_case(first_name="Rosa")
case.stage = "treatment"; case.save()
task = TaskFactory(case=case, contact=contact, kind="form", title="Intake questionnaire", form_fields=FORM_FIELDS)
starts = timezone.now() + datetime.timedelta(days=2)
Appointment.objects.create(case=case, contact=contact, title="Medical exam", starts_at=starts,
                           ends_at=starts + datetime.timedelta(hours=1), location="Northside Clinic")
Message.objects.create(contact=contact, case=case, direction="outbound", body="Welcome!", sent_at=timezone.now())
link, token = issued_link(contact, case=case)
_other, entry_token = issued_link(contact, case=case)
key = services.start_session(link=link, request=RequestFactory().get("/", HTTP_USER_AGENT="Mobile"))
print(json.dumps({"token": entry_token, "key": key, "task": task.pk}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--lighthouse", default=str(ROOT / "var" / "lighthouse" / "node_modules" / ".bin" / "lighthouse")
    )
    parser.add_argument("--network", choices=sorted(NETWORKS), default="slow4g")
    parser.add_argument("--chrome", default=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    args = parser.parse_args()
    if not Path(args.lighthouse).exists():
        sys.exit(f"Lighthouse not found at {args.lighthouse}: npm i -E lighthouse@12.2.3 --prefix var/lighthouse")

    folder = tempfile.mkdtemp(prefix="kayse-lighthouse-")
    port = free_port()
    env = {
        **os.environ,
        "KAYSE_VAR_DIR": folder,
        "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": f"{folder}/static",
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    data = json.loads(
        subprocess.run([*manage, "shell", "-c", SETUP], env=env, check=True, cwd=ROOT, capture_output=True, text=True)
        .stdout.strip()
        .splitlines()[-1]
    )
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        pages = [
            ("link (Continue)", f"/p/{data['token']}/", False),
            ("signed out", "/portal/ended/", False),  # Lighthouse will not score a 404 page
            ("status", "/portal/", True),
            ("to do", "/portal/tasks/", True),
            ("form", f"/portal/tasks/{data['task']}/", True),
            ("upload", "/portal/documents/", True),
            ("messages", "/portal/messages/", True),
            ("appointments", "/portal/appointments/", True),
        ]
        print(f"Lighthouse 12 mobile, network {args.network}")
        print(f"{'page':18} {'perf':>5} {'a11y':>5} {'bytes':>8} {'FCP ms':>7} {'LCP ms':>7} {'TBT ms':>7} {'CLS':>5}")
        worst = 100
        for name, path, signed_in in pages:
            headers = {"Cookie": f"kayse_portal={data['key']}"} if signed_in else {}
            output = Path(folder) / "report.json"
            subprocess.run(
                [
                    args.lighthouse,
                    base + path,
                    "--quiet",
                    "--output=json",
                    f"--output-path={output}",
                    "--only-categories=performance,accessibility",
                    f"--extra-headers={json.dumps(headers)}",
                    "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
                    *NETWORKS[args.network],
                ],
                env={**os.environ, "CHROME_PATH": args.chrome},
                check=True,
            )
            report = json.loads(output.read_text())
            audits = report["audits"]
            perf = round(report["categories"]["performance"]["score"] * 100)
            a11y = round(report["categories"]["accessibility"]["score"] * 100)
            worst = min(worst, perf)
            print(
                f"{name:18} {perf:5} {a11y:5} {audits['total-byte-weight']['numericValue']:8.0f} "
                f"{audits['first-contentful-paint']['numericValue']:7.0f} "
                f"{audits['largest-contentful-paint']['numericValue']:7.0f} "
                f"{audits['total-blocking-time']['numericValue']:7.0f} "
                f"{audits['cumulative-layout-shift']['numericValue']:5.2f}"
            )
        print(f"lowest performance score: {worst}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
