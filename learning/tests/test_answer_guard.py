import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learning.answer_guard import PLACEHOLDER, StreamRedactor, answer_forms

SEVEN_TWELFTHS = {"kind": "numeric", "value": 7 / 12, "tolerance": 0.001}


def stream(forms, chunks) -> str:
    redactor = StreamRedactor(forms)
    return "".join(redactor.feed(chunk) for chunk in chunks) + redactor.finish()


def test_number_forms_cover_fraction_decimal_and_percentage():
    forms = answer_forms(SEVEN_TWELFTHS, None)
    assert {"7/12", "0.583", "0.58"} <= set(forms)
    assert any(f.endswith("%") for f in forms)
    assert "1 3/4" in answer_forms({"kind": "numeric", "value": 1.75, "tolerance": 0}, None)


def test_forms_of_text_set_and_choice_answers():
    assert answer_forms({"kind": "exact", "answer": "Chlorophyll"}, None) == ["Chlorophyll"]
    assert answer_forms({"kind": "set", "answers": ["stroma", "the stroma"]}, None) == ["the stroma", "stroma"]
    choices = [{"key": "a", "text": "thylakoid"}, {"key": "b", "text": "stroma"}]
    assert answer_forms({"kind": "choice", "answer": "b"}, choices) == ["stroma"]


def test_short_answers_are_not_redacted_everywhere():
    assert answer_forms({"kind": "exact", "answer": "b"}, None) == []
    assert answer_forms({"kind": "numeric", "value": 4, "tolerance": 0}, None) == []


@pytest.mark.parametrize("text, expected", [
    ("The answer is 7/12.", f"The answer is {PLACEHOLDER}."),
    ("It is 7 / 12 or 0.5833!", f"It is {PLACEHOLDER} or {PLACEHOLDER}!"),
    ("Not 17/12, nor 7/120, nor 0.5834.", "Not 17/12, nor 7/120, nor 0.5834."),
    ("Add 1/3 and 1/4 over 12.", "Add 1/3 and 1/4 over 12."),
])
def test_whole_numbers_and_words_only(text, expected):
    assert stream(answer_forms(SEVEN_TWELFTHS, None), [text]) == expected


def test_a_match_split_across_tokens_is_still_caught():
    chunks = ["So the ans", "wer is 7", " / 1", "2. Not 0.58", "34 though."]
    assert stream(answer_forms(SEVEN_TWELFTHS, None), chunks) == f"So the answer is {PLACEHOLDER}. Not 0.5834 though."


def test_case_insensitive_text_answers():
    assert stream(["chlorophyll"], ["It is Chloro", "PHYLL, the green one"]) == f"It is {PLACEHOLDER}, the green one"


def test_without_forms_text_passes_through_at_once():
    redactor = StreamRedactor([])
    assert redactor.feed("7/12") == "7/12" and redactor.finish() == ""


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["7", "/", "12", " ", "0.58", "33", "1", "x", ".", "7/12", "a"]), max_size=30),
       st.data())
def test_streaming_in_any_chunks_equals_redacting_the_whole_text(pieces, data):
    text = "".join(pieces)
    forms = answer_forms(SEVEN_TWELFTHS, None)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=8)))
    chunks = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]
    assert stream(forms, chunks) == StreamRedactor(forms).redact(text)
