"""Fixtures shared by every app's tests: real services, a real Celery worker, a browser."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent
IN_CI = os.environ.get("CI") == "true"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


def need_service(env_name: str, what: str) -> str:
    """The service's address; skip (fail under CI=true) when it is not running here."""
    value = os.environ.get(env_name)
    if value:
        return value
    message = f"{what} is not available: run `make test` (scripts/services.sh starts it) or set {env_name}."
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def redis_url():
    base = need_service("KAYSE_TEST_REDIS_URL", "Redis")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return f"{base}/{1 + int(worker[2:] or 0) if worker.startswith('gw') else 1}"


def database_url() -> str:
    """The URL of the database this test process uses (the test database, not the real one)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgres://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


def purge_filesystem_queue():
    """Drop the messages earlier tests of this process queued with no worker running.

    Tests without a worker still queue tasks (signals, sends); on the filesystem broker they
    would wait in the folder and a later test's worker would first work through all of them.
    """
    from django.conf import settings

    folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in")
    if folder and Path(folder).is_dir():
        for message in Path(folder).glob("*.msg"):
            message.unlink(missing_ok=True)


class CeleryWorker:
    """A real `celery worker` process on the test database and the given broker."""

    def __init__(self, broker_url: str | None, result_backend: str | None):
        env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "kayse.settings_test"}
        if broker_url:
            env["CELERY_BROKER_URL"] = broker_url
        if result_backend:
            env["CELERY_RESULT_BACKEND"] = result_backend
        self.log = Path(os.environ["KAYSE_VAR_DIR"]) / f"worker-{uuid.uuid4().hex[:8]}.log"
        if not broker_url:
            purge_filesystem_queue()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "kayse",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def celery_worker(transactional_db):
    """Start a worker on the project's own broker (filesystem by default) and the test database."""
    workers = []

    def start(broker_url=None, result_backend=None):
        worker = CeleryWorker(broker_url, result_backend)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for(result, timeout=60):
    """Wait for a Celery AsyncResult, with a clear failure when the worker never answers."""
    deadline = time.monotonic() + timeout
    while not result.ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"Celery task {result.id} not done after {timeout} s")
        time.sleep(0.2)
    return result.get(timeout=5)


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    executable = need_service("KAYSE_TEST_CHROMIUM", "Chromium (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def screenshot_dir():
    folder = ROOT / "var" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(autouse=True)
def fresh_firm_settings():
    """Each test starts with no setting changed in Settings (the database has none then): a
    change an earlier test made and rolled back must not linger in a cached copy, in the
    default cache or in one a fixture switches to."""
    from django.core.cache import cache
    from django.test.signals import setting_changed

    from firm.selectors import CACHE_KEY, forget_firm_settings

    def start_empty(**kwargs):
        if kwargs.get("setting") in (None, "CACHES"):
            cache.set(CACHE_KEY, [])
            forget_firm_settings()

    start_empty()
    setting_changed.connect(start_empty, dispatch_uid="tests.fresh_firm_settings")
    yield
    setting_changed.disconnect(dispatch_uid="tests.fresh_firm_settings")
    cache.delete(CACHE_KEY)
    forget_firm_settings()
