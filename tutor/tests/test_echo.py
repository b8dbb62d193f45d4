"""The echo stripper on context blocks built by the real prompt builder (no database: an unsaved item)."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from learning.models import Item
from learning.passage_search import PassageHit
from tutor.echo import EchoStripper, context_block_of
from tutor.prompting import question_with_context

QUESTION = "How do I start?"
NOTE = "A fraction of a number is that number divided by the denominator and multiplied by the numerator."
PASSAGE = PassageHit(id=1, source="notes.md", title="Fractions of amounts", text=NOTE, score=0.9)
ITEM_PROMPT = "What is 2/3 of 12?"


def context_block() -> str:
    turn = question_with_context(QUESTION, [PASSAGE], [("Fractions", 0.4)], Item(prompt=ITEM_PROMPT))
    return turn.removesuffix(QUESTION)


def stripped(answer: str, chunks: list[int] | None = None) -> str:
    stripper = EchoStripper(context_block())
    pieces, start = [], 0
    for size in chunks or [len(answer)]:
        pieces.append(stripper.feed(answer[start:start + size]))
        start += size
    pieces.append(stripper.feed(answer[start:]))
    pieces.append(stripper.finish())
    assert "".join(pieces) == stripper.text
    return stripper.text


def test_practice_item_echo_is_stripped():
    answer = ('The student is working on this practice question: "What is 2/3 of 12?". Help with hints and '
              "guiding questions only.\n\nLet's start by splitting 12 into 3 equal parts.")
    assert stripped(answer) == "Let's start by splitting 12 into 3 equal parts."


def test_echo_differing_in_case_and_spacing_and_without_full_stop_is_stripped():
    answer = 'the student is   working on this practice question:\n"What is 2/3 of 12?"\nThink of 3 groups.'
    assert stripped(answer) == "Think of 3 groups."


def test_echo_of_the_practice_sentence_up_to_its_closing_quote_is_stripped():
    block = question_with_context(QUESTION, [], [], Item(prompt="Simplify 6/8.")).removesuffix(QUESTION)
    stripper = EchoStripper(block)
    stripper.feed('The student is working on this practice question: "Simplify 6/8."\n\nDivide both by 2.')
    stripper.finish()
    assert stripper.text == "Divide both by 2."


def test_context_header_echo_is_stripped():
    answer = "[Context for the tutor]\nCourse notes that may help:\nFirst, divide 12 by 3."
    assert stripped(answer) == "First, divide 12 by 3."


def test_course_notes_line_echo_is_stripped_at_a_line_start():
    answer = f"Good question!\n- Fractions of amounts: {NOTE}\nSo divide 12 by 3, then multiply by 2."
    assert stripped(answer) == "Good question!\nSo divide 12 by 3, then multiply by 2."


def test_echo_in_the_middle_of_a_line_is_left_alone():
    answer = f"Remember: {NOTE}"
    assert stripped(answer) == answer


def test_normal_answer_passes_through_untouched():
    answer = "  The student question is a good one. Divide 12 by 3 to get 4.\nThen 2 times 4 is 8.\n"
    assert stripped(answer) == answer


def test_only_a_possible_echo_start_is_held_back():
    stripper = EchoStripper(context_block())
    assert stripper.feed("The student is") == ""  # could still be the practice-item line
    assert stripper.feed(" great at this.\nThe") == "The student is great at this.\n"
    assert stripper.feed(" answer") == "The answer"  # held "The" goes out once it cannot be an echo
    assert stripper.text == "The student is great at this.\nThe answer"
    assert stripper.finish() == ""


def test_short_context_pieces_are_not_stripped():
    stripper = EchoStripper("Fractions\n[Student's question]")
    assert stripper.feed("Fractions are parts.") == "Fractions are parts."


ANSWERS = [
    'The student is working on this practice question: "What is 2/3 of 12?". Sure! Divide 12 by 3.',
    "[Context for the tutor]\n\nCourse notes that may help:\n- Fractions of amounts: " + NOTE + "\nSo 8.",
    "Divide first.\nThe student finds these skills hard: Fractions (about 40% success).\nThen multiply.",
    "  Think about it.\nThe student is clever.\n",
    "The stu",
]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(ANSWERS), st.lists(st.integers(min_value=1, max_value=7), max_size=40))
def test_any_chunking_gives_the_same_output(answer, chunks):
    assert stripped(answer, chunks) == stripped(answer)


def test_the_echo_block_keeps_only_the_tutors_instructions():
    turn = ('[Context for the tutor]\nSource from the course notes (Plants): "Leaves take in carbon dioxide.". '
            'Answer from this source.\n\nCourse notes that may help:\n- Plants: Leaves take in carbon dioxide.\n\n'
            'The student is working on this practice question: "What is 1/2 + 1/3?". Help with hints only.'
            "\n\n[Student's question]\nWhat do leaves take in?")
    block = context_block_of(turn)
    assert "Source from the course notes (Plants):" in block and "The student is working on" in block
    assert "Leaves take in carbon dioxide" not in block and "1/2 + 1/3" not in block
    assert "What do leaves take in?" not in block and context_block_of("What do leaves take in?") == ""
