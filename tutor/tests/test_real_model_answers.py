"""The bundled SmolLM2-135M-Instruct on the real prompt: no echoed instructions, no answer cut off by a loop.

The fake engine cannot show either failure: both come from what a small model does with the real prompt.
Skipped only when the model package is not installed. The first run converts the model into
TUTOR_MODEL_CACHE (the repository's .cache/models, shared with `make run`; about 40 s), later runs reload it.
"""
from __future__ import annotations

import asyncio
import importlib.metadata

import pytest
from django.conf import settings

from learning.models import Course, Item
from tutor.echo import EchoStripper, context_block_of, echo_units, match_key
from tutor.engine.config import EngineConfig
from tutor.engine.loading import BUNDLED_DISTRIBUTION
from tutor.engine.transformers_engine import TransformersEngine
from tutor.engine.types import ChatTurn, Completion, GenerationRequest, complete_all
from tutor.demo import load_demo
from tutor.prompting import question_with_context, system_prompt_for


def _bundled_model_installed() -> bool:
    try:
        importlib.metadata.distribution(BUNDLED_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(not _bundled_model_installed(),
                       reason=f"the bundled model package {BUNDLED_DISTRIBUTION} is not installed (`make install`)"),
]

PRACTICE_ITEMS = ["What is 3/4 of 20?", "Simplify 6/8.", "Which is larger, 2/5 or 3/7?", "Add 1/3 and 1/6."]
QUESTIONS = ["Can you help me with this question?", "How do I start?", "I don't understand what to do.",
             "What should I do first?"]
CALCULATIONS = ["What is 2/3 of 12?", "What is 3/4 of 16?", "What is 2/5 of 20?", "What is 5/6 of 18?"]
ECHO_TOKENS = 48  # an echo comes first, so the start of each answer is enough
ANSWER_CAP = 256  # the default TUTOR_MAX_NEW_TOKENS


def demo_system_prompt() -> str:
    """The system prompt of the demo's fractions course, whose material makes it long, as on the student page."""
    fractions = next(course for course in load_demo()["courses"] if course["title"] == "Fractions")
    return system_prompt_for(Course(title=fractions["title"], description=fractions["description"]))


def practice_asks() -> list[tuple[str, GenerationRequest]]:
    """(last user turn, request) for each question asked with a practice item open."""
    system = demo_system_prompt()
    asks = []
    for index, question in enumerate(QUESTIONS * 2):
        turn = question_with_context(question, [], [], Item(prompt=PRACTICE_ITEMS[index % len(PRACTICE_ITEMS)]))
        request = GenerationRequest(system, [ChatTurn("user", turn)], max_new_tokens=ECHO_TOKENS)
        asks.append((turn, request))
    return asks


def calculation_asks() -> list[GenerationRequest]:
    """Calculations asked while another practice item is open."""
    system = demo_system_prompt()
    turns = [question_with_context(question, [], [], Item(prompt=item))
             for question, item in zip(CALCULATIONS, PRACTICE_ITEMS)]
    return [GenerationRequest(system, [ChatTurn("user", turn)]) for turn in turns]


@pytest.fixture(scope="module")
def answers() -> list[Completion]:
    """Every answer, generated in one batch with the engine's default decoding settings."""
    config = EngineConfig(cache_dir=settings.TUTOR_MODEL_CACHE, num_threads=2, max_new_tokens=ANSWER_CAP,
                          generation_timeout_s=600)
    engine = TransformersEngine(config)
    requests = [request for _, request in practice_asks()] + calculation_asks()
    try:
        engine.start()
        results = asyncio.run(complete_all(engine, requests, concurrency=len(requests)))
    finally:
        engine.close()
    assert all(isinstance(result, Completion) for result in results), results
    return results


def practice_line(turn: str) -> str:
    return next(line for line in turn.splitlines() if "practice question" in line)


def without_echo(context_block: str, text: str) -> str:
    stripper = EchoStripper(context_block)
    for word in text.split(" "):  # word by word, as the engine streams
        stripper.feed(word + " ")
    stripper.finish()
    return stripper.text


def test_no_answer_repeats_the_practice_item_instruction_after_stripping(answers):
    for (turn, _), answer in zip(practice_asks(), answers):
        context_block = context_block_of(turn)
        shown = without_echo(context_block, answer.text.rstrip() + " ")
        line = practice_line(turn)
        quoted = line.split('"')[0] + '"' + line.split('"')[1] + '"'  # 'The student is working on ...: "<item>"'
        assert " ".join(quoted.lower().split()) not in " ".join(shown.lower().split()), (answer.text, shown)
        assert not any(match_key(shown).startswith(unit) for unit in echo_units(context_block)), shown


def test_calculations_finish_before_the_token_cap(answers):
    for question, answer in zip(CALCULATIONS, answers[-len(CALCULATIONS):]):
        assert answer.finish_reason != "length", (question, answer.text)
        assert answer.features.n_tokens < ANSWER_CAP
