"""A wrong practice answer in a real browser: the misconception it shows is explained in one line, and "Ask the
tutor about this" asks the tutor with that practice answer in the question's context."""
import json

import pytest

from tests.browser.pages import student_log_in, student_request_item
from tests.browser.seed import STUDENT, TOOK_THE_TOTAL

pytestmark = pytest.mark.browser


def test_a_wrong_answer_shows_its_misconception_and_the_tutor_can_be_asked_about_it(browsing, tutor_server, expect):
    page = browsing.open("/")
    student_log_in(page, expect, **STUDENT)
    student_request_item(page, expect)
    item_id, spec = tutor_server.db_row(
        "SELECT s.item_id, i.answer_spec FROM learning_serveditem s JOIN learning_item i ON i.id = s.item_id "
        "JOIN auth_user u ON u.id = s.student_id WHERE u.username = ? AND s.answered_at IS NULL "
        "AND s.skipped_at IS NULL ORDER BY s.id DESC", STUDENT["username"])
    wrong = str(2 * int(json.loads(spec)["value"]))

    page.get_by_label("Your answer", exact=True).fill(wrong)
    page.locator("#practice-submit").click()

    expect(page.locator("#practice-misconception")).to_have_text(f"Why: {TOOK_THE_TOTAL['text']}")
    attempt_id, misconception = tutor_server.db_row(
        "SELECT id, misconception FROM learning_attempt WHERE item_id = ? ORDER BY id DESC", item_id)
    assert json.loads(misconception) == TOOK_THE_TOTAL
    asking = page.get_by_role("button", name="Ask the tutor about this")
    expect(asking).to_be_visible()

    asking.click()

    question = f"Why is my answer “{wrong}” wrong?"
    expect(page.locator("#messages li.student").last).to_have_text(question)
    expect(page.locator("#messages li.tutor.complete").last).to_be_visible()
    expect(asking).to_be_hidden()
    context, = tutor_server.db_row(
        "SELECT a.context FROM tutor_message a JOIN tutor_message q ON q.conversation_id = a.conversation_id "
        "WHERE q.text = ? AND a.role = 'tutor' ORDER BY a.id DESC", question)
    assert json.loads(context)["about_attempt"] == attempt_id
    assert browsing.page_errors == []
