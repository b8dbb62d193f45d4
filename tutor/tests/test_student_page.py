"""The student page: the practice panel's controls are there, and the script never builds HTML from strings."""
import re
from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

STATIC = Path(__file__).resolve().parents[1] / "static" / "tutor"

PRACTICE_IDS = [
    "practice",  # the panel
    "practice-diagnose",  # "Diagnose me"
    "practice-practice",  # "Practice"
    "practice-item",
    "practice-skill",
    "practice-prompt",
    "practice-form",
    "practice-choices",  # radio buttons for choices
    "practice-response",  # free-text answer
    "practice-submit",
    "practice-result",
    "practice-verdict",
    "practice-expected",
    "practice-mastery",
    "practice-next",  # "Next item"
    "practice-error",
    "practice-note",  # the hints-only note under the chat input
]
CHAT_IDS = ["login", "chat", "course", "conversation", "messages", "ask", "question", "send", "chat-error"]


def element_ids(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


def test_page_has_the_chat_and_the_practice_panel():
    response = Client().get("/")
    assert response.status_code == 200
    html = response.content.decode()
    ids = element_ids(html)
    missing = [i for i in CHAT_IDS + PRACTICE_IDS if i not in ids]
    assert not missing, f"missing ids: {missing}"
    assert "Diagnose me" in html and "Next item" in html
    assert "Working on a practice item: the tutor will give hints, not the answer." in html


def test_practice_result_is_announced_politely():
    html = Client().get("/").content.decode()
    assert re.search(r'<div id="practice-result" aria-live="polite"', html)
    assert re.search(r'<label id="practice-text-label"[^>]*>Your answer', html)


def test_every_id_the_script_looks_up_is_on_the_page():
    html = Client().get("/").content.decode()
    script = (STATIC / "chat.js").read_text(encoding="utf-8")
    looked_up = set(re.findall(r'(?:\$|showError)\("([\w-]+)"', script))
    assert looked_up >= set(PRACTICE_IDS) - {"practice-result"}
    assert looked_up - element_ids(html) == set()


def test_script_never_parses_html():
    script = (STATIC / "chat.js").read_text(encoding="utf-8")
    for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "DOMParser", "createContextualFragment"]:
        assert sink not in script, f"chat.js uses {sink}"


def test_the_script_handles_every_frame_the_server_sends():
    from tests.test_protocol_home import SERVER_FRAMES

    script = (STATIC / "chat.js").read_text(encoding="utf-8")
    handled = set(re.findall(r"^  (\w+)\(frame\) \{", script, re.MULTILINE))
    assert SERVER_FRAMES - {"tutor.frame"} - handled == set()
