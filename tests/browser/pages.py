"""What a person does on the student page and in admin, and the check that no markup came alive."""
from __future__ import annotations

# Records every text the newest tutor message shows, whether it was still streaming then, and its aria-busy.
RECORD_TUTOR_TEXTS = """() => {
  window.__tutorTexts = [];
  new MutationObserver(() => {
    const answers = document.querySelectorAll("#messages li.tutor");
    const li = answers[answers.length - 1];
    if (!li) return;
    const seen = { text: li.firstChild.textContent, pending: li.classList.contains("pending"),
                   busy: li.getAttribute("aria-busy") };
    const last = window.__tutorTexts[window.__tutorTexts.length - 1];
    if (!last || JSON.stringify(last) !== JSON.stringify(seen)) window.__tutorTexts.push(seen);
  }).observe(document.getElementById("messages"),
             { subtree: true, childList: true, characterData: true, attributes: true });
}"""


def student_log_in(page, expect, *, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#who")).to_have_text(username)
    expect(page.locator("#status")).to_have_text("online")


def student_new_conversation(page, expect) -> None:
    """Leave the conversation the page reopened on load for a new one. Only once it has reopened it: choosing
    "New conversation" while the list is still loading changes nothing (it is already selected), and the
    reopening, with its history arriving later, would then win. Every browser student has a conversation (seed)."""
    expect(page.locator("#conversation")).not_to_have_value("")
    page.locator("#conversation").select_option("")
    expect(page.locator("#messages li")).to_have_count(0)


def student_ask(page, expect, question: str):
    """Send ``question``; returns the tutor's answer to it once it is complete (not an earlier answer that was
    the last one shown before the ack arrived)."""
    answers = page.locator("#messages li.tutor")
    before = answers.count()
    page.get_by_label("Your question").fill(question)
    page.get_by_role("button", name="Send").click()
    expect(answers).to_have_count(before + 1)
    answer = answers.nth(before)
    expect(answer).to_have_class("tutor complete")
    return answer


def student_request_item(page, expect, button: str = "#practice-practice") -> None:
    """Ask for a practice item and wait until its reply is on screen. The buttons are disabled from the click
    until the reply is handled, so an item that was already open (restored on load) is not mistaken for the new
    one, and what the test types next is not wiped by the new item arriving after it."""
    page.locator(button).click()
    expect(page.locator(button)).to_be_enabled()
    expect(page.locator("#practice-item")).to_be_visible()


def admin_log_in(page, expect, *, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_contain_text(username)


def assert_no_markup_ran(page, browsing, region) -> None:
    """Markup from model output or a correction stayed text: no element was made from it in ``region``,
    its image was never fetched, its handlers and scripts never ran, no dialog opened."""
    page.wait_for_timeout(300)  # an injected <img src=x> fails to load, and runs onerror, asynchronously
    found = {
        "elements": region.locator("img, script, b").evaluate_all("found => found.map(e => e.outerHTML)"),
        "window.__pwned": page.evaluate("window.__pwned === undefined ? null : window.__pwned"),
        "fetched": [path for path in browsing.requested_paths if path.endswith("/x")],
        "dialogs": browsing.dialogs,
        "page errors": browsing.page_errors,
    }
    assert found == {"elements": [], "window.__pwned": None, "fetched": [], "dialogs": [], "page errors": []}
