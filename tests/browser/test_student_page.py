"""The student page in a real browser: log in, ask, watch the answer stream in; model output stays text."""
import math
import re

import pytest

from tests.browser.pages import RECORD_TUTOR_TEXTS, assert_no_markup_ran, student_ask, student_log_in
from tests.browser.seed import IMG_PAYLOAD, SCRIPT_PAYLOAD, STUDENT

pytestmark = pytest.mark.browser


def test_student_logs_in_asks_and_sees_the_answer_stream_in(browsing, tutor_server, expect):
    page = browsing.open("/")
    student_log_in(page, expect, **STUDENT)
    expect(page.locator("#course option:checked")).to_have_text("Algebra")
    page.evaluate(RECORD_TUTOR_TEXTS)

    question = "How do I add 1/2 and 1/4?"
    answer = student_ask(page, expect, question)

    expect(page.locator("#messages li.student").last).to_have_text(question)
    final = answer.locator("span").first.text_content()
    assert final.startswith(f"About “{question}”") and final.endswith("step by step.")
    streaming = [seen["text"] for seen in page.evaluate("window.__tutorTexts") if seen["pending"]]
    assert all(final.startswith(text) for text in streaming), streaming
    assert len({text for text in streaming if text and text != final}) >= 3, f"no tokens streamed in: {streaming}"
    confidence = tutor_server.db_row(
        "SELECT confidence FROM tutor_message WHERE role = 'tutor' AND text = ? ORDER BY id DESC", final)[0]
    percent = math.floor(round(confidence, 4) * 100 + 0.5)  # as the page rounds the answer frame's value
    expect(answer.locator(".confidence")).to_have_text(f"confidence {percent}%")
    assert browsing.page_errors == []


def test_markup_in_model_output_is_shown_as_text_live_and_in_history(browsing, expect):
    page = browsing.open("/")
    student_log_in(page, expect, **STUDENT)
    question = f"Is {IMG_PAYLOAD} {SCRIPT_PAYLOAD} safe?"  # the fake engine's answer quotes the question

    answer = student_ask(page, expect, question)

    for element in (answer, page.locator("#messages li.student").last):
        expect(element.locator("span").first).to_contain_text(f"{IMG_PAYLOAD} {SCRIPT_PAYLOAD}")
    expect(page.locator("#conversation option:checked")).to_have_text(question[:60])
    assert_no_markup_ran(page, browsing, page.locator("#chat"))

    conversation = page.locator("#conversation").input_value()
    page.reload()
    expect(page.locator("#status")).to_have_text("online")
    page.locator("#conversation").select_option(conversation)
    expect(page.locator("#messages li.tutor.complete").last.locator("span").first).to_contain_text(
        re.compile(re.escape(f"{IMG_PAYLOAD} {SCRIPT_PAYLOAD}")))
    assert_no_markup_ran(page, browsing, page.locator("#chat"))
