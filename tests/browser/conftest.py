"""Real-browser tests: a uvicorn server on a throwaway SQLite database, driven through Playwright's sync API
by the system's chromium (Playwright never downloads a browser here).

Opt-in with ``-m browser``. A failing test leaves a full-page screenshot of every page it had open under
``TUTOR_BROWSER_ARTIFACTS`` (default bench-results/browser-failures/) and names them in its report, with the
end of the server's log. Playwright is imported only when a browser test runs, so collecting the suite
needs neither Playwright nor chromium.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bench.chat.server import free_port, stop_process

pytest.register_assert_rewrite("tests.browser.pages")  # its checks report what they found, like a test's

REPO = Path(__file__).resolve().parents[2]
BROWSER = os.environ.get("TUTOR_BROWSER", "/usr/bin/chromium")  # Debian's chromium package
ARTIFACTS = Path(os.environ.get("TUTOR_BROWSER_ARTIFACTS", REPO / "bench-results" / "browser-failures"))
# Headless, and no calls home: without the networking switches chromium tries connections the CI refuses.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
SERVER_START_S = 60.0
ACTION_TIMEOUT_MS = 10_000
# Settings that point the server elsewhere than its own throwaway database are not passed on.
NOT_INHERITED = {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "SECRET_KEY", "ALLOWED_HOSTS",
                 "TUTOR_ALLOWED_ORIGINS", "TUTOR_SERVICE_TIER"}

BROWSING = pytest.StashKey["Browsing"]()


@dataclass(frozen=True)
class TutorServer:
    base_url: str
    database: Path
    log: Path
    seeded: dict  # what tests/browser/seed.py made: ids of the course, flagged task, answer, conversation

    def db_row(self, sql: str, *params) -> tuple | None:
        """One row read straight from the server's SQLite file (read-only)."""
        with closing(sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)) as db:
            return db.execute(sql, params).fetchone()


@pytest.fixture(scope="session")
def tutor_server(tmp_path_factory) -> Iterator[TutorServer]:
    run_dir = tmp_path_factory.mktemp("tutor-browser")
    port, log = free_port(), run_dir / "server.log"
    base_url = f"http://127.0.0.1:{port}"
    env = _server_env(run_dir, base_url)
    seeded = json.loads(_run([sys.executable, "-m", "tests.browser.seed"], env).strip().splitlines()[-1])
    command = [sys.executable, "-m", "uvicorn", "tutor.asgi:application", "--host", "127.0.0.1", "--port", str(port),
               "--lifespan", "off", "--ws-max-size", "65536", "--ws-per-message-deflate", "false"]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_serving(base_url, server, log)
        yield TutorServer(base_url=base_url, database=Path(env["TUTOR_SQLITE_PATH"]), log=log, seeded=seeded)
    finally:
        stop_process(server, timeout_s=10)


def _server_env(run_dir: Path, base_url: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in NOT_INHERITED}
    env.update(
        TUTOR_ALLOWED_ORIGINS=base_url,  # the page's socket: its own origin, on the port the server got
        DJANGO_SETTINGS_MODULE="tutor.settings", TUTOR_EMBEDDED="1", DEBUG="0", PYTHONUNBUFFERED="1",
        TUTOR_RUN_DIR=str(run_dir), TUTOR_SQLITE_PATH=str(run_dir / "tutor.sqlite3"),
        TUTOR_ENGINE="fake", TUTOR_FAKE_ENGINE_DELAY_S="0.05",  # slow enough that tokens visibly stream
        TUTOR_WARMUP="0", LEARNING_RETRIEVAL="tfidf", CELERY_TASK_ALWAYS_EAGER="1",  # no worker runs here
    )
    return env


def _run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command[1:])} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}", pytrace=False)
    return done.stdout


def _wait_until_serving(base_url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"The server exited ({server.returncode}):\n{_tail(log)}", pytrace=False)
        try:
            with urllib.request.urlopen(base_url + "/", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    pytest.fail(f"The server did not answer within {SERVER_START_S:.0f} s:\n{_tail(log)}", pytrace=False)


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"(no log: {exc})"


@pytest.fixture(scope="session")
def chromium():
    if not os.access(BROWSER, os.X_OK):
        pytest.fail(f"No browser at {BROWSER}: install Debian's chromium, or set TUTOR_BROWSER.", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright for Python is not installed (pip install playwright; no browser download).",
                    pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=BROWSER, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def expect():
    """Playwright's auto-waiting assertions, imported only when a browser test runs."""
    from playwright.sync_api import expect

    return expect


@dataclass
class Browsing:
    """The pages one test opened, each in its own context (its own cookies: one person per page), and
    what the pages did that a test may want to refuse: dialogs, uncaught script errors, requests."""

    browser: object
    base_url: str
    pages: list = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requested_paths: list[str] = field(default_factory=list)
    _contexts: list = field(default_factory=list)

    def open(self, path: str = "/", *, locale: str = "en-US"):
        """``locale``: the browser's language, sent as its Accept-Language."""
        context = self.browser.new_context(base_url=self.base_url, viewport={"width": 1280, "height": 900},
                                           locale=locale)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        self._contexts.append(context)
        page = context.new_page()
        page.on("dialog", self._dismiss)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("request", lambda request: self.requested_paths.append(request.url.removeprefix(self.base_url)))
        self.pages.append(page)
        page.goto(path)
        return page

    def _dismiss(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def close(self) -> None:
        for context in self._contexts:
            context.close()


@pytest.fixture
def browsing(request, chromium, tutor_server) -> Iterator[Browsing]:
    browsing = Browsing(browser=chromium, base_url=tutor_server.base_url)
    request.node.stash[BROWSING] = browsing
    yield browsing
    browsing.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    browsing = item.stash.get(BROWSING, None)
    if report.failed and browsing is not None and browsing.pages:  # the pages are still open during "call"
        report.sections.append(("browser screenshots", "\n".join(_screenshots(item.nodeid, browsing.pages))))
        server = item.funcargs.get("tutor_server")
        if server is not None:
            report.sections.append((f"server log ({server.log})", _tail(server.log)))
    return report


def _screenshots(nodeid: str, pages: list) -> list[str]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", nodeid).strip("_")
    lines = []
    for number, page in enumerate(pages, start=1):
        path = ARTIFACTS / f"{stem}-page{number}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
            lines.append(f"{path}  ({page.url})")
        except Exception as exc:  # a crashed or closed page must not hide the test's own failure
            lines.append(f"page {number} ({page.url}): no screenshot: {exc}")
    return lines
