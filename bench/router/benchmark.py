"""The router benchmark: the tutor answers a question file, each answer is graded in code, and the router
is judged on telling the wrong answers from the right ones.

Each question is answered the way the tutor answers a student: the course's system prompt, the passages
retrieved for the question from the course notes (``fixtures/content/<course>.md``, indexed in memory
exactly as the tutor indexes them), and the active model through the batching engine. No database is used.

The router's own score is out-of-fold: each answer is scored by a router fitted (as teachers' verdicts would
fit it) on the other answers' grades, never on its own.
"""
from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
from django.conf import settings
from django.test import override_settings

from annotation.router.evaluation import repeated_out_of_fold_p, router_report
from annotation.router.features import AnswerEvidence, answer_features
from annotation.router.metrics import catch_rate, random_catch_rate, wrong_answer_auroc
from annotation.router.model import PRIOR, fit_router
from annotation.router.qa import QAQuestion, answer_is_correct
from bench.router.questions import QAFormatError, read_qa
from bench.router.simulation import active_simulation
from learning.models import Course
from learning.passage_search import PassageHit, hits_worth_prompting, shared_encoder
from learning.passages import split_markdown
from learning.retrieval import HybridIndex, Passage, TfidfIndex
from tutor.engine import get_engine, set_engine
from tutor.engine.types import ChatTurn, Completion, GenerationRequest, complete_all
from tutor.prompting import question_with_context, system_prompt_for

SHARES = (0.1, 0.2, 0.3)
TARGETS = {"auroc": 0.75, "catch_at_20_vs_random": 2.0}


class BenchInputError(ValueError):
    pass


@dataclass(frozen=True)
class SimulationOptions:
    repeats: int = 20
    batch: int = 10
    learn_strategy: str = "uncertainty"
    learn_share: float = 0.5


@dataclass(frozen=True)
class CourseNotes:
    course: Course  # unsaved: only its title and description are used, for the system prompt
    backend: str
    index: TfidfIndex | HybridIndex
    passages: dict[str, Passage]


@dataclass(frozen=True)
class GradedAnswer:
    course: str
    question: str
    check: str
    gold: list[str]
    answer: str
    correct: bool
    features: dict
    evidence: dict  # what the features were computed from, so --regrade can recompute them without the model


def load_notes(content_dir: Path, slugs: set[str]) -> dict[str, CourseNotes]:
    encoder = shared_encoder() if settings.LEARNING_RETRIEVAL == "hybrid" else None
    descriptions = _demo_descriptions(content_dir.parent / "demo_course.json")
    notes = {}
    for slug in sorted(slugs):
        path = content_dir / f"{slug}.md"
        if not path.is_file():
            raise BenchInputError(f"course {slug!r}: no notes at {path.name} in {content_dir}")
        pieces = split_markdown(path.read_text(encoding="utf-8-sig"))
        passages = {str(n): Passage(str(n), title, text) for n, (title, text) in enumerate(pieces)}
        index = (HybridIndex.build(list(passages.values()), encoder=encoder) if encoder
                 else TfidfIndex.build(list(passages.values())))
        course = Course(slug=slug, title=_title(content_dir / f"{slug}.json", slug),
                        description=descriptions.get(slug, ""))
        notes[slug] = CourseNotes(course, "hybrid" if encoder else "tfidf", index, passages)
    return notes


def _title(course_file: Path, slug: str) -> str:
    if course_file.is_file():
        return json.loads(course_file.read_text(encoding="utf-8")).get("course", {}).get("title") or slug
    return slug.replace("-", " ").title()


def _demo_descriptions(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    return {c["slug"]: c.get("description", "") for c in json.loads(path.read_text(encoding="utf-8"))["courses"]}


def passages_for(question: str, notes: CourseNotes) -> list[PassageHit]:
    """The passages the tutor would put in its prompt for ``question``, as it retrieves them."""
    hits = hits_worth_prompting(notes.backend, notes.index.search(question, settings.LEARNING_PASSAGES_IN_PROMPT))
    return [PassageHit(int(pid), notes.course.slug, notes.passages[pid].title, notes.passages[pid].text, score)
            for pid, score in hits]


def _prompt_for(question: QAQuestion, notes: CourseNotes) -> tuple[GenerationRequest, list[PassageHit]]:
    passages = passages_for(question.question, notes)
    turn = ChatTurn("user", question_with_context(question.question, passages, [], None))
    return GenerationRequest(system_prompt=system_prompt_for(notes.course), history=[turn]), passages


def answer_and_grade(questions: list[QAQuestion], notes: dict[str, CourseNotes]) -> tuple[list[GradedAnswer], dict]:
    prompts = [_prompt_for(q, notes[q.course]) for q in questions]
    started = time.perf_counter()
    requests = [request for request, _ in prompts]
    completions = asyncio.run(complete_all(get_engine(), requests, settings.TUTOR_MAX_BATCH_SIZE))
    wall = time.perf_counter() - started
    failed = [(q.question, str(c)) for q, c in zip(questions, completions) if not isinstance(c, Completion)]
    graded = []
    for q, (_, hits), completion in zip(questions, prompts, completions):
        if not isinstance(completion, Completion):
            continue
        evidence = AnswerEvidence(
            question=q.question, answer=completion.text, token_features=completion.features.as_dict(),
            passage_texts=tuple(h.text for h in hits), passage_scores=tuple(h.score for h in hits),
            cut_short=completion.finish_reason == "length",
        )
        graded.append(_graded(q, evidence))
    answered = [c for c in completions if isinstance(c, Completion)]
    tokens = sum(c.features.n_tokens for c in answered)
    generation = {"model": answered[0].model_name if answered else "", "wall_s": round(wall, 1), "tokens": tokens,
                  "tokens_per_s": round(tokens / wall, 1) if wall else None, "failed": failed}
    return graded, generation


def _graded(q: QAQuestion, evidence: AnswerEvidence) -> GradedAnswer:
    return GradedAnswer(q.course, q.question, q.check, list(q.gold), evidence.answer,
                        answer_is_correct(q, evidence.answer), answer_features(evidence), asdict(evidence))


def regrade(previous_report: Path) -> tuple[list[GradedAnswer], list[GradedAnswer], dict]:
    """The answers (and held-out answers) of an earlier run's --out file, graded and featurised again by the
    current code."""
    try:
        report = json.loads(previous_report.read_text(encoding="utf-8"))
        graded = [_regraded(a) for a in report["answers"]]
        held_out = [_regraded(a) for a in report.get("held_out_answers") or []]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BenchInputError(f"{previous_report.name}: not a router_bench --out report ({error})") from None
    return graded, held_out, {**report.get("generation", {}), "regraded_from": previous_report.name}


def _regraded(answer: dict) -> GradedAnswer:
    evidence = answer["evidence"]
    return _graded(QAQuestion(answer["question"], tuple(answer["gold"]), answer["check"], answer["course"]),
                   AnswerEvidence(**{**evidence, "passage_texts": tuple(evidence["passage_texts"]),
                                     "passage_scores": tuple(evidence["passage_scores"])}))


def router_scores(graded: list[GradedAnswer], *, seed: int = 0, repeats: int = 5) -> dict:
    rows = [g.features for g in graded]
    correct = np.array([g.correct for g in graded])
    router_p, split_aurocs = repeated_out_of_fold_p(rows, correct, repeats=repeats, seed=seed)
    scorers = {
        "router": router_p,
        "prior": PRIOR.p_correct_many(rows),
        "mean_logprob": np.array([row["mean_logprob"] for row in rows]),
    }
    report = {name: _ranking(p, correct) for name, p in scorers.items()}
    report["router"]["auroc_per_split"] = {"mean": _round(np.mean(split_aurocs)), "sd": _round(np.std(split_aurocs)),
                                           "min": _round(min(split_aurocs)), "max": _round(max(split_aurocs))}
    report["random"] = {"catch": {_share_key(s): _round(random_catch_rate(correct, s)) for s in SHARES}}
    # What a perfect router would catch: with many wrong answers, flagging 20 % cannot catch more than 20 % of all.
    report["oracle"] = {"catch": {_share_key(s): _round(catch_rate(correct.astype(float), correct, s)) for s in SHARES}}
    for name in ("router", "prior"):
        calibration = router_report(scorers[name], correct)
        report[name].update(brier=_round(calibration["brier"]), ece=_round(calibration["ece"]),
                            reliability=calibration["reliability"])
    return report


def held_out_scores(train: list[GradedAnswer], test: list[GradedAnswer]) -> dict:
    """The router fitted on every answer of the main file, judged on another file's answers."""
    model = fit_router([g.features for g in train], [g.correct for g in train])
    correct = np.array([g.correct for g in test])
    p = model.p_correct_many([g.features for g in test])
    calibration = router_report(p, correct)
    return {"questions": len(test), "answers_right": int(correct.sum()), **_ranking(p, correct),
            "random_catch": {_share_key(s): _round(random_catch_rate(correct, s)) for s in SHARES},
            "oracle_catch": {_share_key(s): _round(catch_rate(correct.astype(float), correct, s)) for s in SHARES},
            "prior_auroc": _round(wrong_answer_auroc(PRIOR.p_correct_many([g.features for g in test]), correct)),
            "brier": _round(calibration["brier"]), "ece": _round(calibration["ece"])}


def _ranking(p: np.ndarray, correct: np.ndarray) -> dict:
    return {"auroc": _round(wrong_answer_auroc(p, correct)),
            "catch": {_share_key(s): _round(catch_rate(p, correct, s)) for s in SHARES}}


def _share_key(share: float) -> str:
    return f"{round(share * 100)}%"


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def run_benchmark(qa_path: Path, content_dir: Path, *, holdout_path: Path | None = None,
                  default_course: str | None = None, seed: int = 0,
                  simulation: SimulationOptions = SimulationOptions()) -> dict:
    questions = questions_from(qa_path, default_course)
    held_out = questions_from(holdout_path, default_course) if holdout_path else []
    notes = load_notes(content_dir, {q.course for q in questions + held_out})
    graded, generation = answer_and_grade(questions + held_out, notes)
    if not graded:
        raise BenchInputError(f"no question was answered: {generation['failed'][:3]}")
    held_out_set = {(q.course, q.question) for q in held_out}
    main = [g for g in graded if (g.course, g.question) not in held_out_set]
    rest = [g for g in graded if (g.course, g.question) in held_out_set]
    return report_for(main, generation, held_out=rest, seed=seed, simulation=simulation)


def questions_from(path: Path, default_course: str | None) -> list[QAQuestion]:
    try:
        questions = read_qa(path)
    except QAFormatError as error:
        raise BenchInputError(str(error)) from error
    questions = [q if q.course else replace(q, course=default_course) for q in questions]
    if any(q.course is None for q in questions):
        raise BenchInputError(f"{path.name}: a question has no course; give each line a \"course\" or pass --course SLUG")
    return questions


def report_for(graded: list[GradedAnswer], generation: dict, *, held_out: list[GradedAnswer] = (), seed: int,
               simulation: SimulationOptions) -> dict:
    correct = [g.correct for g in graded]
    scores = router_scores(graded, seed=seed)
    embed = question_embedder()
    random_20 = scores["random"]["catch"]["20%"]
    router_20 = scores["router"]["catch"]["20%"]
    return {
        "questions": len(graded),
        "answers_right": int(sum(correct)),
        "accuracy": _round(sum(correct) / len(graded)) if graded else None,
        "accuracy_by_check": _accuracy_by(graded, "check"),
        "accuracy_by_course": _accuracy_by(graded, "course"),
        "generation": generation,
        "router_note": "router: out-of-fold (5 folds) calibrated logistic regression on the router features, "
                       "as refitted from teachers' verdicts; prior: the hand-set score used before any verdict",
        **scores,
        "targets": {
            "auroc_at_least_0.75": scores["router"]["auroc"] is not None and scores["router"]["auroc"] >= TARGETS["auroc"],
            "catch_at_20_at_least_2x_random": bool(random_20 and router_20 is not None
                                                   and router_20 >= TARGETS["catch_at_20_vs_random"] * random_20),
        },
        "active_simulation": simulate_picking(graded, simulation, embed, seed=seed),
        "held_out": held_out_scores(graded, list(held_out)) if held_out else None,
        "held_out_simulation": simulate_picking(list(held_out), simulation, embed, seed=seed),
        "answers": [asdict(g) for g in graded],
        "held_out_answers": [asdict(g) for g in held_out],
    }


def simulate_picking(graded: list[GradedAnswer], options: SimulationOptions, embed, *, seed: int) -> dict | None:
    """The active simulation on these answers alone (None when they are all right or all wrong)."""
    correct = [g.correct for g in graded]
    if not 0 < sum(correct) < len(correct):
        return None
    embeddings, kind = embed([g.question for g in graded])
    report = active_simulation([g.features for g in graded], correct, embeddings=embeddings, batch=options.batch,
                               repeats=options.repeats, learn_strategy=options.learn_strategy,
                               learn_share=options.learn_share, seed=seed)
    return {**report, "embeddings": kind}


def question_embedder():
    """A function from questions to (one L2-normalised row each, "minilm" or "tfidf"): the MiniLM encoder where
    retrieval uses it, else TF-IDF vectors of the questions themselves."""
    encoder = shared_encoder() if settings.LEARNING_RETRIEVAL == "hybrid" else None
    if encoder is not None:
        return lambda questions: (np.asarray(encoder.encode(questions), dtype=float), "minilm")
    return lambda questions: (_tfidf_vectors(questions), "tfidf")


def _tfidf_vectors(questions: list[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(sublinear_tf=True).fit_transform(questions).toarray()


def _accuracy_by(graded: list[GradedAnswer], attribute: str) -> dict:
    totals, right = Counter(), Counter()
    for g in graded:
        totals[getattr(g, attribute)] += 1
        right[getattr(g, attribute)] += g.correct
    return {key: {"questions": totals[key], "accuracy": round(right[key] / totals[key], 4)} for key in sorted(totals)}


def run_router_bench(qa_path: Path, content_dir: Path, *, holdout_path: Path | None, default_course: str | None,
                     regrade_path: Path | None, seed: int, simulation: SimulationOptions) -> dict:
    """The report of a fresh run of the active model or, with ``regrade_path``, of an earlier report's answers
    graded and scored again."""
    if regrade_path:
        graded, held_out, generation = regrade(regrade_path)
        return report_for(graded, generation, held_out=held_out, seed=seed, simulation=simulation)
    # Every question is queued at once, so one may wait long for a batch slot: time out only a stall.
    try:
        with override_settings(TUTOR_GENERATION_TIMEOUT_S=max(settings.TUTOR_GENERATION_TIMEOUT_S, 900.0)):
            return run_benchmark(qa_path, content_dir, holdout_path=holdout_path, default_course=default_course,
                                 seed=seed, simulation=simulation)
    finally:
        close_engine()


def close_engine() -> None:
    """Stop the engine's thread before the interpreter exits (it would abort the process otherwise)."""
    engine = set_engine(None)
    if hasattr(engine, "close"):
        engine.close()


def report_summary(report: dict) -> dict:
    """The report without its answers, reliability bins and simulation curves: what the terminal shows."""
    summary = {key: value for key, value in report.items() if key not in ("answers", "held_out_answers")}
    for name in ("router", "prior"):
        summary[name] = {k: v for k, v in summary[name].items() if k != "reliability"}
    for key in ("active_simulation", "held_out_simulation"):
        if summary.get(key):
            summary[key] = {**summary[key], "plans": {name: {k: v for k, v in plan.items() if k != "curve"}
                                                      for name, plan in summary[key]["plans"].items()}}
    return summary
