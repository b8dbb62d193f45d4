"""The student page in a real browser: log in, ask, watch the answer stream in; model output stays text; a reload
keeps the open practice item and the conversation; what is shown around an answer."""
import json
import math
import re

import pytest

from tests.browser.pages import (
    RECORD_TUTOR_TEXTS, assert_no_markup_ran, student_ask, student_log_in, student_new_conversation,
    student_request_item,
)
from tests.browser.seed import IMG_PAYLOAD, SCRIPT_PAYLOAD, STUDENT

pytestmark = pytest.mark.browser


def test_student_logs_in_asks_and_sees_the_answer_stream_in(browsing, tutor_server, expect):
    page = browsing.open("/")
    student_log_in(page, expect, **STUDENT)
    expect(page.locator("#course option:checked")).to_have_text("Algebra")
    student_new_conversation(page, expect)  # the page reopened the seeded conversation
    page.evaluate(RECORD_TUTOR_TEXTS)

    question = "Why do we need a common denominator?"  # not a calculation: the model's words stream live
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
    student_new_conversation(page, expect)  # a new conversation, titled by its first question
    question = f"Is {IMG_PAYLOAD} {SCRIPT_PAYLOAD} safe?"  # the fake engine's answer quotes the question

    answer = student_ask(page, expect, question)

    for element in (answer, page.locator("#messages li.student").last):
        expect(element.locator("span").first).to_contain_text(f"{IMG_PAYLOAD} {SCRIPT_PAYLOAD}")
    expect(page.locator("#conversation option:checked")).to_have_text(
        re.compile(r"^\d+\. " + re.escape(question[:40]) + r".*\(\d+ \w+ \d{4}, \d\d:\d\d \w+\)$"))
    assert_no_markup_ran(page, browsing, page.locator("#chat"))

    conversation = page.locator("#conversation").input_value()
    page.reload()
    expect(page.locator("#status")).to_have_text("online")
    page.locator("#conversation").select_option(conversation)
    expect(page.locator("#messages li.tutor.complete").last.locator("span").first).to_contain_text(
        re.compile(re.escape(f"{IMG_PAYLOAD} {SCRIPT_PAYLOAD}")))
    assert_no_markup_ran(page, browsing, page.locator("#chat"))


def _open_item_of(tutor_server, username: str) -> tuple[int, str, dict]:
    """The id, prompt and answer spec of the item the server holds open for ``username``."""
    item_id, prompt, spec = tutor_server.db_row(
        "SELECT s.item_id, i.prompt, i.answer_spec FROM learning_serveditem s JOIN learning_item i ON i.id = s.item_id "
        "JOIN auth_user u ON u.id = s.student_id WHERE u.username = ? AND s.answered_at IS NULL "
        "AND s.skipped_at IS NULL ORDER BY s.id DESC", username)
    return item_id, prompt, json.loads(spec)


def test_reload_keeps_the_open_item_and_reopens_the_last_conversation(browsing, tutor_server, expect):
    page = browsing.open("/")
    student_log_in(page, expect, **STUDENT)
    student_new_conversation(page, expect)
    question = "Which number goes on the bottom of a fraction?"
    answer_text = student_ask(page, expect, question).locator("span").first.text_content()
    conversation = page.locator("#conversation").input_value()
    student_request_item(page, expect)
    item_id, prompt, spec = _open_item_of(tutor_server, STUDENT["username"])
    expect(page.locator("#practice-prompt")).to_have_text(prompt)

    page.reload()

    expect(page.locator("#status")).to_have_text("online")
    expect(page.locator("#conversation")).to_have_value(conversation)  # the most recently active one
    expect(page.locator("#messages li.student").last).to_have_text(question)
    expect(page.locator("#messages li.tutor.complete").last.locator("span").first).to_have_text(answer_text)
    expect(page.locator("#practice-prompt")).to_have_text(prompt)
    expect(page.locator("#practice-note")).to_be_visible()  # the tutor still hints only, and the page says so
    page.get_by_label("Your answer", exact=True).fill(str(int(spec["value"])))
    page.locator("#practice-submit").click()
    expect(page.locator("#practice-verdict")).to_have_text("Correct!")
    assert tutor_server.db_row("SELECT correct FROM learning_attempt WHERE item_id = ? ORDER BY id DESC",
                               item_id) == (1,)
    expect(page.locator("#practice-note")).to_be_hidden()
    assert browsing.page_errors == []


SOURCE = {"passage": 1, "title": f"Fractions {IMG_PAYLOAD}", "text": f"The denominator is the bottom. {SCRIPT_PAYLOAD}"}


def _grounded_answers(ws) -> None:
    """Stands between the page and the server, adding the grounded-answer fields to the answers it passes on:
    sources and a cut-short answer, or, for a question that asks for it, an abstention."""
    server = ws.connect_to_server()

    def to_page(message):
        frame = json.loads(message)
        if frame["type"] == "answer" and "abstain" in frame["text"]:
            frame["abstained"] = True
        elif frame["type"] == "answer":
            frame.update(sources=[SOURCE], truncated=True, abstained=False)
        ws.send(json.dumps(frame))

    server.on_message(to_page)


def _new_conversation_through(browsing, expect, route):
    """The student page, logged in, its socket passing through ``route``, on a new conversation."""
    page = browsing.open("/")
    student_log_in(page, expect, **STUDENT)
    page.route_web_socket("**/ws/tutor/", route)
    page.reload()
    expect(page.locator("#status")).to_have_text("online")
    student_new_conversation(page, expect)
    return page


def test_sources_a_cut_short_note_and_an_abstention_are_shown_as_text(browsing, expect):
    page = _new_conversation_through(browsing, expect, _grounded_answers)

    answer = student_ask(page, expect, "What is a denominator?")
    expect(answer.locator(".source")).to_have_text(
        f"From the course notes: {SOURCE['title']}: “{SOURCE['text']}”")
    expect(answer.locator(".truncated")).to_have_text("This answer was cut short.")
    expect(answer.locator(".confidence")).to_have_count(1)
    assert_no_markup_ran(page, browsing, page.locator("#chat"))

    abstained = student_ask(page, expect, "Please abstain on this one")
    expect(abstained.locator(".abstained")).to_have_text("waiting for your teacher")
    expect(abstained.locator(".confidence")).to_have_count(0)
    expect(abstained.locator(".source")).to_have_count(0)


def test_frames_of_an_answer_the_page_does_not_show_are_not_drawn(browsing, expect):
    """A socket that asked for a conversation's history while an answer in it was pending goes on receiving that
    answer's frames after the student switches to another conversation: they must not land in the new one."""
    sockets = []

    def pass_through(ws) -> None:
        server = ws.connect_to_server()
        server.on_message(ws.send)
        sockets.append(ws)

    page = _new_conversation_through(browsing, expect, pass_through)

    stray = 10**9  # no message of this page
    for frame in ({"type": "token", "message_id": stray, "text": "Stray "},
                  {"type": "restart", "message_id": stray},
                  {"type": "held", "message_id": stray, "text": "Stray held"},
                  {"type": "answer", "message_id": stray, "text": "Stray answer", "confidence": 0.5}):
        sockets[-1].send(json.dumps(frame))
    answer = student_ask(page, expect, "What is a numerator?")

    expect(page.locator("#messages li")).to_have_count(2)  # the question and its answer, nothing stray
    expect(page.locator("#messages")).not_to_contain_text("Stray")
    expect(answer).to_have_class("tutor complete")
    assert browsing.page_errors == []
