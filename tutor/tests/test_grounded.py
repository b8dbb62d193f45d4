"""The grounded answer core, with a scripted model: what the student is shown, in what order, and what never."""
from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from learning.answer_guard import StreamRedactor
from learning.solving import check_answer
from tutor.grounded import ABSTAIN_TEXT, STRONGER_EXPLAIN, STRONGER_SOURCE, TEMPLATE_SOURCE, grounded_answer
from tutor.grounding import grounding_for, result_forms
from tutor.prompting import question_request
from tutor.tests.scripted import Reply, ScriptedEngine

CALCULATION = "What is 3/4 + 5/6?"  # 19/12 = 1 7/12
WRONG = ("So 3/4 + 5/6 = 8/10.", "Add the tops and the bottoms: the answer is 8/10.", "The answer is 1 1/2.")


@dataclass(frozen=True)
class Hit:
    id: int
    title: str
    text: str
    score: float = 0.4


NOTES = [Hit(7, "Plants", "Leaves are green. Plants take in carbon dioxide from the air through their leaves.")]


class Emitted(list):
    async def __call__(self, text: str) -> None:
        self.append(text)


async def answer(engine, question, style="explain", passages=(), forbidden=(), **abstention):
    request, grounding = question_request(system_prompt="Be a tutor.", question=question, passages=passages,
                                          style=style)
    emitted = Emitted()
    result = await grounded_answer(engine, request, grounding, style, list(forbidden), emitted, **abstention)
    assert "".join(emitted) == result.text == result.completion.text  # the frames add up to the answer
    return result, emitted, grounding


async def test_the_verified_working_is_emitted_first_then_the_checked_explanation():
    engine = ScriptedEngine("Write both over twelfths and add them: the answer is 19/12.")
    result, emitted, grounding = await answer(engine, CALCULATION)
    working = "\n".join([*grounding.solution.steps, grounding.solution.final_answer])
    assert emitted[0] == working + "\n\n"
    assert result.text.endswith("the answer is 19/12.")
    assert result.check == {"kind": "solver", "status": "agrees", "regenerated": False, "fallback": False}
    assert "Verified working (computed exactly" in engine.requests[0].history[-1].content


async def test_a_wrong_explanation_is_regenerated_under_a_stronger_instruction():
    engine = ScriptedEngine(WRONG[0], "Both fractions become twelfths, and the answer is 1 7/12.")
    result, emitted, _ = await answer(engine, CALCULATION)
    assert result.check == {"kind": "solver", "status": "agrees", "regenerated": True, "fallback": False}
    assert "8/10" not in result.text and result.text.endswith("the answer is 1 7/12.")
    assert STRONGER_EXPLAIN.format(result="19/12") in engine.requests[1].history[-1].content


async def test_an_explanation_wrong_twice_is_replaced_by_the_template():
    engine = ScriptedEngine(WRONG[0], WRONG[2])
    result, emitted, grounding = await answer(engine, CALCULATION)
    assert result.check == {"kind": "solver", "status": "contradicts", "regenerated": True, "fallback": True}
    assert "8/10" not in result.text and "1 1/2" not in result.text
    explanation = result.text.split("\n\n", 1)[1]
    assert check_answer(grounding.solution, explanation).status == "agrees"


@pytest.mark.parametrize("seed", range(6))
async def test_no_emitted_text_ever_contradicts_the_solution(seed):
    draw = random.Random(seed)
    replies = [Reply(text, tuple(draw.sample(range(1, len(text)), 5))) for text in draw.sample(WRONG, 2)]
    result, emitted, grounding = await answer(ScriptedEngine(*replies), CALCULATION)
    shown = ""
    for piece in emitted:
        shown += piece
        assert check_answer(grounding.solution, shown).status != "contradicts", shown


@pytest.mark.parametrize("seed", range(8))
async def test_a_hints_answer_never_states_the_result_however_it_is_chunked(seed):
    draw = random.Random(seed)
    hint = "Try twelfths: 9/12 + 10/12 = 19/12, which is 1 7/12 (about 1.58), so the answer is nineteen twelfths."
    engine = ScriptedEngine(Reply(hint, tuple(draw.sample(range(1, len(hint)), 12))))
    result, emitted, grounding = await answer(engine, CALCULATION, style="hints")
    forms = result_forms(grounding.solution)
    assert emitted[0].startswith("Common denominator of 4 and 6: 12") and grounding.solution.final_answer not in result.text
    assert StreamRedactor(forms).redact(result.text) == result.text  # nothing left that states 19/12
    assert "19/12" not in engine.requests[0].history[-1].content  # nor is the model told it


async def test_a_wrong_hint_falls_back_to_a_template_that_states_nothing():
    engine = ScriptedEngine("The answer is 8/10.", "So you get 1 1/2.")
    result, _, grounding = await answer(engine, CALCULATION, style="hints")
    assert result.check["fallback"] and "8/10" not in result.text and "1 1/2" not in result.text
    assert StreamRedactor(result_forms(grounding.solution)).redact(result.text) == result.text


QUOTE = "Your course notes say: “Plants take in carbon dioxide from the air through their leaves.”\n\n"


async def test_a_question_backed_by_the_notes_quotes_them_first_then_the_supported_answer():
    engine = ScriptedEngine("Plants take in carbon dioxide through their leaves.")
    result, emitted, grounding = await answer(engine, "What gas do plants take in through their leaves?",
                                              passages=NOTES, judge=_never_called, abstain_below=0.9)
    assert grounding.kind == "source" and emitted == [QUOTE, "Plants take in carbon dioxide through their leaves."]
    assert result.sources == [{"passage": 7, "title": "Plants",
                               "text": "Plants take in carbon dioxide from the air through their leaves."}]
    assert result.check == {"kind": "source", "status": "supported", "regenerated": False, "fallback": False}
    assert not result.abstained
    assert '- (Plants) "Plants take in carbon dioxide' in engine.requests[0].history[-1].content


async def test_an_answer_the_notes_do_not_support_is_regenerated_then_left_out():
    engine = ScriptedEngine("They take in oxygen at night, about 12 litres.", "Nitrogen, mostly, from the soil.")
    result, emitted, _ = await answer(engine, "What gas do plants take in through their leaves?", passages=NOTES)
    assert emitted == [QUOTE, TEMPLATE_SOURCE] and "oxygen" not in result.text and "Nitrogen" not in result.text
    assert result.check["regenerated"] and result.check["fallback"] and result.check["status"] == "unsupported"
    assert "nitrogen" in result.check["unsupported"]
    assert STRONGER_SOURCE in engine.requests[1].history[-1].content


async def test_a_regenerated_answer_the_notes_support_is_shown():
    engine = ScriptedEngine("About 12 litres of oxygen.", "Carbon dioxide, from the air.")
    result, emitted, _ = await answer(engine, "What gas do plants take in through their leaves?", passages=NOTES)
    assert emitted == [QUOTE, "Carbon dioxide, from the air."]
    assert result.check == {"kind": "source", "status": "supported", "regenerated": True, "fallback": False}


def test_the_runner_up_sentence_is_quoted_when_it_supports_the_question_nearly_as_well():
    notes = [Hit(3, "Light", "The action spectrum shows the rate at each colour. It has a dip in the green."),
             Hit(4, "Leaves", "Leaves look green.")]
    cosines = {"Light: It has a dip in the green.": 0.72, "Light: The action spectrum shows the rate at each colour.":
               0.45, "Leaves: Leaves look green.": 0.3}

    def similarity(question, texts):
        return [cosines[text] for text in texts]

    quotes = grounding_for("Where does the action spectrum have a dip?", notes, similarity).quotes
    # words: 2/3 and 1/3 of the question's; blended: 0.5 * 2/3 + 0.45 = 0.78 and 0.5 * 1/3 + 0.72 = 0.89
    assert [quote.sentence for quote in quotes] == ["It has a dip in the green.",
                                                    "The action spectrum shows the rate at each colour."]
    assert grounding_for("Where does the action spectrum have a dip?", notes, lambda q, texts: [0.1] * len(texts)).kind == "none"


def test_a_quoted_sentence_is_read_without_markdown():
    notes = [Hit(5, "Leaf", "- The lower surface has **stomata** (singular: stoma), pores that let gases in.")]
    assert grounding_for("What is the singular of stomata?", notes).source.sentence == (
        "The lower surface has stomata (singular: stoma), pores that let gases in.")


async def test_an_unchecked_answer_below_the_threshold_abstains():
    engine = ScriptedEngine("The mitochondria is the powerhouse, I think, maybe.")
    result, emitted, _ = await answer(engine, "Why do cells need energy?", judge=_confidence(0.1), abstain_below=0.3)
    assert result.abstained and emitted == [ABSTAIN_TEXT] and result.text == ABSTAIN_TEXT
    assert result.held_text == "The mitochondria is the powerhouse, I think, maybe."
    assert result.check["status"] == "abstained" and result.sources == []


async def test_an_unchecked_answer_above_the_threshold_is_released_whole():
    engine = ScriptedEngine("Cells need energy to build molecules and move.")
    result, emitted, _ = await answer(engine, "Why do cells need energy?", judge=_confidence(0.6), abstain_below=0.3)
    assert not result.abstained and emitted == ["Cells need energy to build molecules and move."]
    assert result.check["status"] == "released"


async def test_without_abstention_an_unchecked_answer_streams_live():
    engine = ScriptedEngine(Reply("Cells need energy to build molecules and move.", finish_reason="length"))
    result, emitted, _ = await answer(engine, "Why do cells need energy?", judge=_never_called, abstain_below=None)
    assert len(emitted) > 3 and not result.abstained and result.check["status"] == "unchecked"
    assert result.truncated


async def test_an_open_items_answer_is_taken_out_of_the_working_too():
    engine = ScriptedEngine("Add the twelfths.")
    result, _, _ = await answer(engine, CALCULATION, style="hints", forbidden=["19/12"])
    assert "19/12" not in result.text and "1 7/12" not in result.text


def test_grounding_prefers_the_solver_and_needs_real_support_from_the_notes():
    assert grounding_for(CALCULATION, NOTES).kind == "solver"
    assert grounding_for("Why is the sky blue?", NOTES).kind == "none"
    assert grounding_for("Are leaves green?", NOTES).source.sentence == "Leaves are green."
    assert grounding_for("What do plants eat at night?", NOTES).kind == "none"  # one word of three: no support
    # a calculation the solver declined is never answered with a quote (of a method or a worked example with
    # other numbers, read as the answer); a question that only mentions numbers may be
    assert grounding_for("Plants take in 3 litres of carbon dioxide in 12 hours: how much do the leaves take in "
                         "each hour?", NOTES).kind == "none"
    assert grounding_for("Did the 1772 and 1779 experiments show that plants take in carbon dioxide through "
                         "their leaves?", NOTES).kind == "source"


def _confidence(value: float):
    async def judge(completion) -> float:
        return value
    return judge


async def _never_called(completion) -> float:
    raise AssertionError("a checked answer is never held for the scorer")


async def test_an_echo_of_the_context_block_is_never_shown_or_stored():
    echo = "Answer the question in one short sentence, using only what these sentences say.\n"
    engine = ScriptedEngine(echo + "They take in carbon dioxide.")
    result, emitted, grounding = await answer(engine, "What gas do plants take in from the air?", passages=NOTES,
                                              abstain_below=None)
    assert grounding.kind == "source"
    assert result.text == QUOTE + "They take in carbon dioxide." == "".join(emitted)


async def test_a_student_who_asks_for_just_the_answer_gets_the_verified_result_alone():
    engine = ScriptedEngine()  # nothing is generated
    result, emitted, grounding = await answer(engine, "What is 3/4 + 5/6? Reply with just the answer.")
    assert grounding.solution.result_only and emitted == ["19/12"] and result.text == "19/12"
    assert result.check["status"] == "result_only" and engine.requests == []


async def test_a_hints_course_never_gives_the_result_alone_even_when_asked():
    engine = ScriptedEngine("Write both fractions over twelfths first.")
    result, _, grounding = await answer(engine, "What is 3/4 + 5/6? Reply with just the answer.", style="hints")
    assert StreamRedactor(result_forms(grounding.solution)).redact(result.text) == result.text
