"""Asking a version its evaluation questions: a failed generation is retried, then recorded as failed (no Django,
no model: a scripted engine)."""
from __future__ import annotations

import asyncio
import time

import pytest

from annotation.training.evaluation import (
    Answer, EvalCase, RetryPolicy, answer_all, evaluation_budget_s, grade_all,
)
from tutor.engine.fake import FakeEngine
from tutor.engine.types import ChatTurn, EngineOverloaded, GenerationRequest, GenerationTimeout, ModelUnavailable


class ScriptedEngine(FakeEngine):
    """Raises the scripted errors for a question, in order, then answers it as the fake engine does."""

    def __init__(self, script: dict[str, list[Exception]]):
        super().__init__()
        self.script = {question: list(errors) for question, errors in script.items()}

    async def stream(self, request):
        errors = self.script.get(request.history[-1].content)
        if errors:
            self.requests.append(request)
            raise errors.pop(0)
        async for event in super().stream(request):
            yield event


def ask(question: str) -> GenerationRequest:
    return GenerationRequest("system", [ChatTurn("user", question)])


class Sleeps(list):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def run(engine, questions, **options) -> list[Answer]:
    return asyncio.run(answer_all(engine, [ask(q) for q in questions], **options))


def test_a_busy_engine_is_asked_again_with_back_off_until_it_answers():
    engine = ScriptedEngine({"q1": [EngineOverloaded(), GenerationTimeout()]})
    sleeps = Sleeps()
    answers = run(engine, ["q1", "q2"], retry=RetryPolicy(tries=4, first_delay_s=1.0), sleep=sleeps)
    assert [a.failed for a in answers] == [False, False] and "q1" in answers[0].text
    assert [a.tries for a in answers] == [3, 1] and sleeps == [1.0, 2.0]


def test_a_generation_that_keeps_failing_is_recorded_as_failed_not_as_an_empty_answer():
    engine = ScriptedEngine({"q1": [GenerationTimeout()] * 3})
    answers = run(engine, ["q1"], retry=RetryPolicy(tries=3, first_delay_s=0.5), sleep=Sleeps())
    assert answers == [Answer("", error="generation_timeout", tries=3)] and answers[0].failed
    case = EvalCase("golden", "q1", ("",), "contains")
    assert grade_all([case], answers) == [None]  # not graded: neither right nor wrong


def test_an_error_that_retrying_cannot_fix_is_not_retried():
    engine = ScriptedEngine({"q1": [ModelUnavailable(), ModelUnavailable()]})
    answers = run(engine, ["q1"], retry=RetryPolicy(tries=4, first_delay_s=0.0), sleep=Sleeps())
    assert (answers[0].error, answers[0].tries) == ("model_unavailable", 1)


def test_without_a_deadline_every_try_is_made_and_with_one_no_wait_past_it_is_started():
    sleeps = Sleeps()
    answers = run(ScriptedEngine({"q1": [EngineOverloaded()] * 4}), ["q1"],
                  retry=RetryPolicy(tries=4, first_delay_s=3600.0), sleep=sleeps)
    assert answers[0].failed and answers[0].tries == 4 and sleeps == [3600.0, 7200.0, 14400.0]
    sleeps.clear()
    answers = run(ScriptedEngine({"q1": [EngineOverloaded()] * 4}), ["q1"],
                  retry=RetryPolicy(tries=4, first_delay_s=3600.0), sleep=sleeps, deadline=time.monotonic() + 60.0)
    assert (answers[0].error, answers[0].tries, sleeps) == ("engine_busy", 1, [])


def test_each_request_gets_the_remaining_budget_as_its_timeout():
    engine = ScriptedEngine({})
    run(engine, ["q1"], deadline=time.monotonic() + 500.0)
    assert 0 < engine.requests[0].timeout_s <= 500.0


def test_the_budget_grows_with_the_cases_queued():
    assert evaluation_budget_s(0, base_s=120.0, per_case_s=10.0) == 120.0
    assert evaluation_budget_s(100, base_s=120.0, per_case_s=10.0) == 1120.0


def test_a_retry_policy_refuses_nonsense():
    with pytest.raises(ValueError, match="tries"):
        RetryPolicy(tries=0)
    assert RetryPolicy(first_delay_s=2.0, factor=3.0).delay_before(2) == 6.0
