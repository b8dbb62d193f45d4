"""The tutor evaluation: every question of a QA file answered once per arm, in one run, each answer graded in code.

Arms:
- ``off``: the tutor as it was before grounding: the course notes in the prompt, the model's words streamed as
  they come, nothing checked.
- ``on``: grounded answers (``tutor.grounded``): the solver's verified working first and the model's explanation
  checked against it; a supporting sentence of the notes for factual questions; an honest abstention, scored by
  the router's prior (a new installation has no teacher verdicts yet), for a question nothing can check.
- ``hints``: grounded, answer style ``hints``: does an answer still state the calculation's result?

Every answer is generated through the same core the tutor uses (``tutor.grounded.grounded_answer``) on the
active engine, ``--concurrency`` questions at a time, so the time to first token includes the wait for a batch
slot that a busy classroom sees. No database is used: notes are indexed in memory as the router benchmark does.
An abstention counts as not right. A generation that fails is reported as failed, never graded.
"""
from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
from django.conf import settings
from django.test import override_settings

from annotation.router.features import AnswerEvidence, answer_features
from annotation.router.model import PRIOR
from annotation.router.qa import QAQuestion, answer_is_correct
from bench.router.benchmark import CourseNotes, close_engine, load_notes, passages_for, questions_from
from learning.answer_guard import StreamRedactor
from learning.passage_search import sentence_similarity
from learning.models import AnswerStyle, Course
from learning.solving import check_answer, solve
from tutor.engine import get_engine
from tutor.engine.types import Completion, EngineError
from tutor.grounded import generate, grounded_answer
from tutor.grounding import result_forms
from tutor.prompting import question_request, system_prompt_for

ARMS = ("off", "on", "hints")
CHECKS = ("numeric", "contains", "exact")
TARGETS = {"calculation_accuracy": 0.95, "factual_accuracy": 0.75, "accuracy": 0.70, "contradictions_shown": 0,
           "reveals_answer": 0.05, "ttft_p50_ratio": 1.2}


@dataclass(frozen=True)
class ArmAnswer:
    arm: str
    course: str
    category: str
    check: str
    question: str
    answer: str
    correct: bool
    failed: str | None  # the engine's error: never graded
    abstained: bool
    solvable: bool
    contradicts: bool  # the answer shown states a result or equation the solver contradicts
    caught: bool  # an explanation that contradicted the solver was held back, regenerated or replaced
    unsupported_caught: bool  # an answer the quoted notes did not support was held back, regenerated or replaced
    reveals: bool  # the answer states the calculation's result
    record: dict
    ttft_s: float | None
    answer_s: float
    tokens: int
    truncated: bool
    model: str = ""


class _CountingEngine:
    """The active engine, counting every token it generated for one answer (regenerations included)."""

    def __init__(self, engine):
        self._engine, self.tokens, self.model = engine, 0, ""

    async def stream(self, request):
        async for event in self._engine.stream(request):
            if isinstance(event, Completion):
                self.tokens += event.features.n_tokens
                self.model = event.model_name
            yield event


def prior_judge(question: str, passages) -> callable:
    """The router's prior on a held answer: what a new installation, with no teacher verdicts, abstains on."""
    async def judge(completion: Completion) -> float:
        evidence = AnswerEvidence(question=question, answer=completion.text,
                                  token_features=completion.features.as_dict(),
                                  passage_texts=tuple(p.text for p in passages),
                                  passage_scores=tuple(p.score for p in passages),
                                  cut_short=completion.finish_reason == "length")
        return PRIOR.p_correct(answer_features(evidence))
    return judge


async def answer_one(arm: str, question: QAQuestion, notes: CourseNotes, abstain_below: float | None) -> ArmAnswer:
    passages = passages_for(question.question, notes)
    style = AnswerStyle.HINTS if arm == "hints" else AnswerStyle.EXPLAIN
    request, grounding = question_request(system_prompt=system_prompt_for(notes.course), question=question.question,
                                          passages=passages, grounded=arm != "off", style=style,
                                          similarity=sentence_similarity())
    engine, started, first = _CountingEngine(get_engine()), time.perf_counter(), []

    async def emit(text: str) -> None:
        if not first:
            first.append(time.perf_counter() - started)

    judge = prior_judge(question.question, passages) if arm == "on" else None
    try:
        if arm == "off":
            answer = await generate(engine, request, on_text=emit)
            text, record, abstained, truncated = answer.text, {"kind": "none"}, False, answer.finish_reason == "length"
        else:
            grounded = await grounded_answer(engine, request, grounding, style, [], emit, judge=judge,
                                             abstain_below=abstain_below if arm == "on" else None)
            text, record, abstained, truncated = grounded.text, grounded.check, grounded.abstained, grounded.truncated
    except EngineError as error:
        return _failed(arm, question, str(error), time.perf_counter() - started)
    graded = _graded(arm, question, text, record, abstained, truncated, first[0] if first else None,
                     time.perf_counter() - started, engine.tokens)
    return replace(graded, model=engine.model)


def _graded(arm: str, q: QAQuestion, text: str, record: dict, abstained: bool, truncated: bool,
            ttft: float | None, elapsed: float, tokens: int) -> ArmAnswer:
    solution = solve(q.question)
    contradicts = solution is not None and not abstained and _contradicts(solution, text, hints=arm == "hints")
    reveals = solution is not None and StreamRedactor(result_forms(solution)).redact(text) != text
    return ArmAnswer(arm, q.course, q.category or "uncategorised", q.check, q.question, text,
                     correct=not abstained and answer_is_correct(q, text), failed=None, abstained=abstained,
                     solvable=solution is not None, contradicts=contradicts,
                     caught=_replaced(record, "solver"), unsupported_caught=_replaced(record, "source"),
                     reveals=reveals,
                     record=record, ttft_s=ttft, answer_s=elapsed, tokens=tokens, truncated=truncated)


def _replaced(record: dict, kind: str) -> bool:
    return record.get("kind") == kind and bool(record.get("regenerated") or record.get("fallback"))


def _contradicts(solution, text: str, *, hints: bool) -> bool:
    """The shown answer states a result or an equation the solver contradicts. A hint states no result (its
    last number is a step's), so only the equations it writes are judged."""
    check = check_answer(solution, text)
    if hints:
        return any(not claim.holds for claim in check.equations)
    return check.status == "contradicts"


def _failed(arm: str, q: QAQuestion, error: str, elapsed: float) -> ArmAnswer:
    return ArmAnswer(arm, q.course, q.category or "uncategorised", q.check, q.question, "", correct=False,
                     failed=error, abstained=False, solvable=solve(q.question) is not None, contradicts=False,
                     caught=False, unsupported_caught=False, reveals=False, record={}, ttft_s=None,
                     answer_s=elapsed, tokens=0, truncated=False)


async def run_arm(arm: str, questions: list[QAQuestion], notes: dict[str, CourseNotes], concurrency: int,
                  abstain_below: float | None) -> tuple[list[ArmAnswer], float]:
    gate = asyncio.Semaphore(concurrency)

    async def one(question: QAQuestion) -> ArmAnswer:
        async with gate:
            return await answer_one(arm, question, notes[question.course], abstain_below)

    started = time.perf_counter()
    answers = await asyncio.gather(*(one(q) for q in questions))
    return list(answers), time.perf_counter() - started


def arm_report(answers: list[ArmAnswer], wall_s: float) -> dict:
    graded = [a for a in answers if a.failed is None]
    answered = [a for a in graded if not a.abstained]
    solvable = [a for a in graded if a.solvable]
    ttfts = [a.ttft_s for a in graded if a.ttft_s is not None]
    return {
        "questions": len(answers),
        "failed": len(answers) - len(graded),
        "accuracy": _share(a.correct for a in graded),
        "accuracy_by_check": {check: _share(a.correct for a in graded if a.check == check) for check in CHECKS},
        "accuracy_by_category": _grouped(graded, "category"),
        "accuracy_by_course": _grouped(graded, "course"),
        "contradictions_shown": sum(a.contradicts for a in graded),
        "contradictions_caught": sum(a.caught for a in graded),
        "quoted_answers": sum(a.record.get("kind") == "source" for a in graded),
        "unsupported_caught": sum(a.unsupported_caught for a in graded),
        "solvable_questions": len(solvable),
        "reveals_answer": _share(a.reveals for a in solvable),
        "abstained": sum(a.abstained for a in graded),
        "abstained_share": _share(a.abstained for a in graded),
        "accuracy_when_answered": _share(a.correct for a in answered),
        "truncated": sum(a.truncated for a in graded),
        "ttft_p50_s": _percentile(ttfts, 50),
        "ttft_p95_s": _percentile(ttfts, 95),
        "answer_p50_s": _percentile([a.answer_s for a in graded], 50),
        "tokens_per_answer": round(float(np.mean([a.tokens for a in graded])), 1) if graded else None,
        "wall_s": round(wall_s, 1),
    }


def _grouped(answers: list[ArmAnswer], attribute: str) -> dict:
    groups = defaultdict(list)
    for answer in answers:
        groups[getattr(answer, attribute)].append(answer.correct)
    return {key: {"questions": len(values), "accuracy": _share(values)} for key, values in sorted(groups.items())}


def _share(values) -> float | None:
    values = list(values)
    return round(sum(values) / len(values), 4) if values else None


def _percentile(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 4) if values else None


def targets_met(report: dict) -> dict:
    """Each target of the grounded-answers issue against the ``on`` (and ``hints``) arm, where measured."""
    on, met = report.get("on"), {}
    if on:
        by_category = on["accuracy_by_category"]
        for name, category in (("calculation_accuracy", "calculation"), ("factual_accuracy", "factual")):
            if category in by_category:
                met[name] = by_category[category]["accuracy"] >= TARGETS[name]
        met["accuracy"] = (on["accuracy"] or 0) >= TARGETS["accuracy"]
        met["contradictions_shown"] = on["contradictions_shown"] <= TARGETS["contradictions_shown"]
    if "hints" in report and report["hints"]["reveals_answer"] is not None:
        met["reveals_answer"] = report["hints"]["reveals_answer"] <= TARGETS["reveals_answer"]
    ratio = report.get("ratios", {}).get("ttft_p50_on_over_off")
    if ratio is not None:
        met["ttft_p50_ratio"] = ratio <= TARGETS["ttft_p50_ratio"]
    return met


async def evaluate(questions: list[QAQuestion], notes: dict[str, CourseNotes], arms: list[str], concurrency: int,
                   abstain_below: float | None) -> dict:
    answers, walls = [], {}
    for arm in arms:
        arm_answers, walls[arm] = await run_arm(arm, questions, notes, concurrency, abstain_below)
        answers += arm_answers
    return _report(answers, walls)


def regrade_report(report: dict, qa_path: Path, default_course: str | None) -> dict:
    """``report`` (a saved run, with its answers) graded again, answer by answer, with today's grader: after a
    grading fix, the same answers are judged without generating anything again. Abstained and failed answers
    stay as they were; every question must be in ``qa_path``."""
    questions = {q.question: q for q in questions_from(qa_path, default_course)}
    answers = []
    for saved in report["answers"]:
        question = questions.get(saved["question"])
        if question is None:
            raise ValueError(f"the report's question {saved['question']!r} is not in {qa_path.name}")
        correct = saved["failed"] is None and not saved["abstained"] and answer_is_correct(question, saved["answer"])
        answers.append(ArmAnswer(**{**saved, "correct": correct}))
    walls = {arm: report[arm]["wall_s"] for arm in dict.fromkeys(a.arm for a in answers)}
    return {**_report(answers, walls), "setup": {**report.get("setup", {}), "regraded_from": qa_path.name}}


def _report(answers: list[ArmAnswer], walls: dict[str, float]) -> dict:
    report = {arm: arm_report([a for a in answers if a.arm == arm], wall) for arm, wall in walls.items()}
    if "on" in report and "off" in report and report["off"]["ttft_p50_s"]:
        report["ratios"] = {"ttft_p50_on_over_off": round(report["on"]["ttft_p50_s"] / report["off"]["ttft_p50_s"], 3)}
    report["targets"] = TARGETS
    report["targets_met"] = targets_met(report)
    report["answers"] = [asdict(a) for a in answers]
    return report


def run_tutor_eval(qa_path: Path, content_dir: Path, *, default_course: str | None, arms: list[str],
                   concurrency: int, abstain_below: float | None = None) -> dict:
    """The report of one run of every arm over every question of ``qa_path`` on the active model."""
    questions = questions_from(qa_path, default_course)
    notes = load_notes(content_dir, {q.course for q in questions})
    if abstain_below is None:
        abstain_below = Course._meta.get_field("abstain_below").default
    try:
        # Questions queue for batch slots: time out only a stall, never a wait.
        with override_settings(TUTOR_GENERATION_TIMEOUT_S=max(settings.TUTOR_GENERATION_TIMEOUT_S, 900.0)):
            report = asyncio.run(evaluate(questions, notes, arms, concurrency, abstain_below))
    finally:
        close_engine()
    model = next((a["model"] for a in report["answers"] if a["model"]), None)
    report["setup"] = {"questions": len(questions), "arms": arms, "concurrency": concurrency,
                       "abstain_below": abstain_below, "model": model or settings.TUTOR_BASE_MODEL or "bundled"}
    return report


def report_summary(report: dict) -> dict:
    return {key: value for key, value in report.items() if key != "answers"}
