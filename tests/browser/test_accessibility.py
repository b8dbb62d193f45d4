"""Accessibility in a real browser: axe-core finds no WCAG 2.1 A/AA violation on any page a student or teacher
uses, and the chat works by keyboard alone with answers announced once, when complete.

The admin pages are not listed by hand: the test follows the links of the admin index, every change list and the
first object of each, as a teacher and as an administrator, so a page added later is checked without anyone
remembering to add it here.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest

from tests.browser.pages import RECORD_TUTOR_TEXTS, admin_log_in, student_ask, student_log_in, student_new_conversation
from tests.browser.seed import ADMIN, STUDENT, TEACHER

pytestmark = pytest.mark.browser

WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
# Links a crawl must not follow: they change state (log out, delete) or only re-sort and filter a page it has seen.
NOT_FOLLOWED = ("/logout/", "/delete/", "/password_change/", "/password/", "/start/", "/autocomplete/", "/jsi18n/",
                # Django's own user and group pages, which only an administrator uses (docs/accessibility.md names
                # the two violations axe-core finds in Django's markup there).
                "/admin/auth/")
MAX_ADMIN_PAGES = 60
OBJECT_PAGE = re.compile(r"^(/admin/\w+/\w+/)(\d+)/")  # a change page or another page of one object


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on ``page`` as it is now, one line each with the elements it names."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, options=WCAG_21_AA).response["violations"]
    return [f"{page.url}: {v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5]) for v in found]


def admin_pages_reachable(page, visit: Callable[[], None], *, start: str = "/admin/") -> list[str]:
    """The admin pages a person can open from the index: every change list it links to, every page a change
    list links to (the first object's change page, custom views), without query strings or state changes.
    ``visit`` runs on each page as it is open. Fails if pages are left when MAX_ADMIN_PAGES is reached."""
    seen, queue = [], [start]
    while queue and len(seen) < MAX_ADMIN_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        response = page.goto(path)
        if response is None or response.status != 200:
            continue
        seen.append(path)
        visit()
        for link in _admin_links(page):
            if link not in seen and link not in queue:
                queue.append(link)
    assert not queue, f"MAX_ADMIN_PAGES ({MAX_ADMIN_PAGES}) reached with pages left unchecked: {queue}"
    return seen


def _admin_links(page) -> list[str]:
    hrefs = page.locator("#content a[href], #content-main a[href]").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")
    links, first_object = [], {}
    for href in hrefs:
        parts = urlsplit(href)
        path = parts.path
        if parts.query or parts.fragment or not path.startswith("/admin/") or not path.endswith("/"):
            continue
        if any(part in path for part in NOT_FOLLOWED):
            continue
        object_page = OBJECT_PAGE.match(path)
        if object_page:  # of a change list's objects only the first: the rest are the same pages with other data
            model, object_id = object_page.groups()
            if first_object.setdefault(model, object_id) != object_id:
                continue
        links.append(path)
    return links


def test_the_student_pages_have_no_wcag_violations(browsing, tutor_server, expect):
    page = browsing.open("/")
    violations = axe_violations(page)  # logged out: the login form
    student_log_in(page, expect, **STUDENT)
    student_ask(page, expect, "What is 3/4 + 5/6?")
    violations += axe_violations(page)  # the chat with an answer, its notes and the practice panel
    page.get_by_role("button", name="Practice").click()
    expect(page.locator("#practice-form")).to_be_visible()
    violations += axe_violations(page)  # an open practice item
    page.goto("/help/content-format")
    violations += axe_violations(page)
    assert violations == [], "\n".join(violations)


def test_the_lti_pages_have_no_wcag_violations(chromium):
    """The pages an LMS launch shows: an instructor's deep linking choice (with its error), the page that posts
    the choice back, and a refusal. Rendered here and loaded as they are (their flow, with a platform's signed
    tokens, is in lti/tests/); the return page's script is not loaded, so it stays on screen for axe."""
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    from lti.deep_linking import Offer
    from lti.refusals import LaunchRefused

    offers = [Offer("tutor", "Tutor: Algebra"), Offer("practice:fractions", "Practice: Fractions", "fractions")]
    pages = [
        render_to_string("lti/deep_link.html", {"course": SimpleNamespace(title="Algebra"), "offers": offers,
                                                "error": "Choose one of the activities listed."}),
        render_to_string("lti/deep_link_return.html", {"answer": SimpleNamespace(
            return_url="https://lms.example.org/deep-link-return", jwt="header.body.signature")}),
        render_to_string("lti/refused.html", {"refusal": LaunchRefused("deep_link_not_instructor")}),
    ]
    page = chromium.new_page()
    violations = []
    for html in pages:
        page.set_content(html)
        violations += axe_violations(page)
    page.close()
    assert violations == [], "\n".join(violations)


def test_the_student_page_in_swedish_speaks_swedish_and_has_no_wcag_violations(browsing, expect):
    page = browsing.open("/", locale="sv-SE")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    violations = axe_violations(page)
    page.get_by_label("Användarnamn").fill(STUDENT["username"])
    page.get_by_label("Lösenord").fill(STUDENT["password"])
    page.get_by_role("button", name="Logga in").click()
    expect(page.locator("#status")).to_have_text("ansluten")  # chat.js's words, from the JavaScript catalog
    student_new_conversation(page, expect)
    answers = page.locator("#messages li.tutor")
    before = answers.count()
    page.get_by_label("Din fråga").fill("Vad är 3/4 + 5/6?")
    page.get_by_role("button", name="Skicka", exact=True).click()
    expect(answers).to_have_count(before + 1)
    expect(answers.nth(before)).to_have_class("tutor complete")
    violations += axe_violations(page)
    assert violations == [], "\n".join(violations)
    assert browsing.page_errors == []


@pytest.mark.parametrize("person", [TEACHER, ADMIN], ids=["teacher", "administrator"])
def test_every_admin_page_a_teacher_or_administrator_reaches_has_no_wcag_violations(browsing, expect, person):
    page = browsing.open("/admin/login/")
    violations = axe_violations(page)
    admin_log_in(page, expect, **person)
    visited = admin_pages_reachable(page, lambda: violations.extend(axe_violations(page)))
    # The crawl really went through the admin: the review queue and a review task's own page among them.
    assert "/admin/annotation/reviewtask/" in visited
    assert any(OBJECT_PAGE.match(path) and path.startswith("/admin/annotation/reviewtask/") for path in visited), visited
    assert violations == [], f"{len(visited)} pages checked:\n" + "\n".join(violations)


def test_the_chat_works_by_keyboard_alone_and_announces_each_answer_once(browsing, expect):
    page = browsing.open("/")
    page.keyboard.press("Tab")  # the first thing on the page a keyboard reaches is the username
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type(STUDENT["username"])
    page.keyboard.press("Tab")
    page.keyboard.type(STUDENT["password"])
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text("online")
    student_new_conversation(page, expect)

    question = page.get_by_label("Your question")
    for _ in range(20):  # tab through the toolbar to the question box
        if question.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(question).to_be_focused()
    answers = page.locator("#messages li.tutor")
    before = answers.count()
    page.evaluate(RECORD_TUTOR_TEXTS)
    page.keyboard.type("What is 2/3 of 12?")
    page.keyboard.press("Enter")

    conversation = page.get_by_role("list", name="Conversation")
    expect(conversation).to_have_attribute("aria-live", "polite")
    expect(answers).to_have_count(before + 1)
    expect(answers.nth(before)).to_have_class("tutor complete")
    seen = page.evaluate("window.__tutorTexts")
    streaming = [state for state in seen if state["pending"] and state["text"]]
    assert streaming, seen  # the fake engine streams tokens slowly enough to be seen
    assert all(state["busy"] == "true" for state in seen if state["pending"]), seen
    assert not seen[-1]["pending"] and seen[-1]["busy"] == "false" and seen[-1]["text"], seen
