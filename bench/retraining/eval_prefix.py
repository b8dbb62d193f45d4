"""The gate's evaluation with the prefix cache shared per adapter, against the baseline where an adapter's
requests shared no prefix (``retrain_bench --eval-prefix``).

The gate asks the active version (here the base model) and the candidate adapter every case, version after
version in chunks of ``EVAL_CHUNK`` at ``EVAL_CONCURRENCY`` at a time, within its budget and retries, as
``annotation.training_runs`` does. The prompts are built by the tutor's own functions (``system_prompt_for``,
``question_with_context``): the demo course's system prompt with its course material, and a user turn of
LEARNING_PASSAGES_IN_PROMPT course-note passages before the question. The questions are the held-out corrections'
questions and rewordings, then the fresh tutor-evaluation questions, ``cases`` in all. The candidate is a LoRA
adapter of the training settings' shape, initialised to zero (the same compute as a trained one, and the same
answers as the base model, so both arms generate the same tokens). Arms alternate in one process, and the
report gives each arm's wall and CPU seconds and the ratio of the shared arm to the baseline.
"""
from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from django.conf import settings

from annotation.training.evaluation import RetryPolicy, answer_all, evaluation_budget_s
from annotation.training_runs import EVAL_CHUNK, EVAL_CONCURRENCY
from bench.retraining.benchmark import read_corrections
from bench.router.questions import read_qa
from learning.models import Course
from learning.passage_search import PassageHit
from tutor.engine.types import AdapterRef, ChatTurn, GenerationRequest
from tutor.prompting import PASSAGE_CHARS, question_with_context, system_prompt_for

ARMS = ("unshared", "shared")


def eval_prefix_report(*, cases: int = 90, rounds: int = 2) -> dict:
    from tutor.engine import get_engine

    fixtures = Path(settings.BASE_DIR) / "fixtures"
    prompts = case_prompts(fixtures, cases)
    with tempfile.TemporaryDirectory(prefix="eval-prefix-") as folder:
        adapter = _zero_adapter(Path(folder) / "candidate")
        engine = get_engine()
        asyncio.run(answer_all(engine, [_request(p, v) for p in prompts[:2] for v in (None, adapter)], 4))  # warm
        runs = [_measure(engine, prompts, adapter, arm) for arm in arm_order(rounds)]
    return summarise(runs, cases=len(prompts))


def arm_order(rounds: int) -> list[str]:
    """Baseline first, then alternating so that neither arm always runs first: u s s u u s …"""
    order: list[str] = []
    for round_ in range(rounds):
        order += list(ARMS) if round_ % 2 == 0 else list(reversed(ARMS))
    return order


def case_prompts(fixtures: Path, cases: int) -> list[tuple[str, str]]:
    """``cases`` (system prompt, user turn) pairs, alternating between the two demo courses."""
    courses = {c["slug"]: c for c in json.loads((fixtures / "demo_course.json").read_text())["courses"]}
    notes = {slug: (fixtures / "content" / f"{slug}.md").read_text() for slug in courses}
    rows = read_corrections(fixtures / "retrain_corrections_holdout.jsonl")
    fresh = [question.question for question in read_qa(fixtures / "tutor_eval_fresh.jsonl")]
    questions = ([q for row in rows for q in (row.question, *row.rewordings)] + fresh)[:cases]
    slugs = sorted(courses)
    return [(_system(courses[slugs[i % len(slugs)]]), _turn(q, notes[slugs[i % len(slugs)]]))
            for i, q in enumerate(questions)]


def _system(course: dict) -> str:
    return system_prompt_for(Course(title=course["title"], description=course["description"]))  # never saved


def _turn(question: str, notes: str) -> str:
    """The tutor's user turn with note passages chosen by the question's characters (stable across runs, unlike
    ``hash``), as many as the tutor puts in a prompt."""
    count = settings.LEARNING_PASSAGES_IN_PROMPT
    start = (sum(map(ord, question)) * 7919) % max(1, len(notes) - count * PASSAGE_CHARS)
    passages = [PassageHit(i, "notes", "", notes[start + i * PASSAGE_CHARS:start + (i + 1) * PASSAGE_CHARS], 1.0)
                for i in range(count)]
    return question_with_context(question, passages, [], None)


def _request(prompt: tuple[str, str], adapter: AdapterRef | None) -> GenerationRequest:
    return GenerationRequest(prompt[0], [ChatTurn("user", prompt[1])], settings.ANNOTATION_EVAL_MAX_NEW_TOKENS, adapter)


def _zero_adapter(folder: Path) -> AdapterRef:
    from annotation.training.lora import wrap_with_lora
    from annotation.training_runs import hyperparameters_from_settings
    from tutor.engine import engine_config_from_settings
    from tutor.engine.artifacts import folder_sha256
    from tutor.engine.loading import load_model

    loaded = load_model(replace(engine_config_from_settings(), pack_cpu_weights=False))
    wrap_with_lora(loaded.model, hyperparameters_from_settings()).save_pretrained(str(folder))
    return AdapterRef("eval-prefix-candidate", str(folder), folder_sha256(folder), "candidate")


def _measure(engine, prompts, adapter: AdapterRef, arm: str) -> dict:
    started, cpu = time.monotonic(), time.process_time()
    with _adapter_prefixes_unshared(engine, arm == "unshared"):
        answers = []
        for version in (None, adapter):
            requests = [_request(p, version) for p in prompts]
            deadline = time.monotonic() + evaluation_budget_s(
                len(requests), base_s=settings.ANNOTATION_EVAL_TIMEOUT_BASE_S,
                per_case_s=settings.ANNOTATION_EVAL_TIMEOUT_PER_CASE_S)
            retry = RetryPolicy(tries=settings.ANNOTATION_EVAL_TRIES,
                                first_delay_s=settings.ANNOTATION_EVAL_RETRY_DELAY_S)
            for start in range(0, len(requests), EVAL_CHUNK):
                answers += asyncio.run(answer_all(engine, requests[start:start + EVAL_CHUNK], EVAL_CONCURRENCY,
                                                  deadline=deadline, retry=retry))
    return {"arm": arm, "wall_s": round(time.monotonic() - started, 1), "cpu_s": round(time.process_time() - cpu, 1),
            "answers": len(answers), "failed": sum(a.failed for a in answers),
            "answer_chars": sum(len(a.text) for a in answers)}


@contextmanager
def _adapter_prefixes_unshared(engine, unshared: bool):
    """The baseline: an adapter's requests carry no shareable prefix, as before the cache was keyed by weights."""
    if not unshared:
        yield
        return
    build = engine._build_prompt

    def without_adapter_prefix(request):
        built = build(request)
        return replace(built, shared_prefix_len=0) if request.adapter is not None else built

    engine._build_prompt = without_adapter_prefix
    try:
        yield
    finally:
        del engine._build_prompt  # the class's method again


def summarise(runs: list[dict], *, cases: int) -> dict:
    def median(arm: str, key: str) -> float:
        return statistics.median(run[key] for run in runs if run["arm"] == arm)

    ratios = {f"{key}_shared_vs_unshared": round(median("shared", key) / median("unshared", key), 3)
              for key in ("wall_s", "cpu_s")}
    same = len({run["answer_chars"] for run in runs}) == 1
    return {"cases": cases, "versions": 2, "max_new_tokens": settings.ANNOTATION_EVAL_MAX_NEW_TOKENS, "concurrency": EVAL_CONCURRENCY,
            "runs": runs, **ratios, "same_answers_in_every_run": same}
