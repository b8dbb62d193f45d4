"""What a course's training run learns from and is judged on (selectors; frozen into the run at its start).

- Training: the course's corrections (the latest per question) plus a replay set, so that the tutor does not
  forget: approved answers and the course's reference questions (practice items with an answer key), both
  outside the golden set.
- Judging: the corrected questions (trained on), their held-out rewordings, and the golden set: reference
  questions and approved answers chosen once per course, by a stable hash, and never trained on.

Every question is put to the model exactly as a student's would be: the course's system prompt and the
passages retrieved for the question, before the question.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings

from annotation.models import GoldenCase, TrainingExample
from annotation.router.qa import numbers_in
from annotation.training.evaluation import EvalCase
from annotation.training.config import TrainingText
from learning.grading import parse_number
from learning.models import Course, GoldenQuestion, Item
from learning.passage_search import passages_for_question
from tutor.engine.types import AdapterRef, ChatTurn, GenerationRequest
from tutor.prompting import question_with_context, system_prompt_for
from tutor.teacher_answers import TeacherAnswer, teacher_answer_for


@dataclass(frozen=True)
class RunData:
    train: list[TrainingText]
    cases: list[EvalCase]
    corrections: list[tuple[str, str, str]]  # (ref, question, answer) for the answer-key check
    references: list[EvalCase]  # every reference question with its key
    summary: dict
    teacher_answers: list[TeacherAnswer]  # shipped with the version, for similar questions


def run_data_collect(*, course: Course, example_ids: list[int] | None = None) -> RunData:
    """The run's data; ``example_ids`` (from a run's frozen record) replays exactly what it started with."""
    golden = golden_set_freeze(course=course)
    golden_items = {case.item_id for case in golden if case.item_id}
    golden_examples = {case.example_id for case in golden if case.example_id}
    examples = _examples(course, example_ids, golden_examples)
    corrections = _latest_per_question([e for e in examples if e.kind == TrainingExample.Kind.CORRECTION])
    approved = [e for e in examples if e.kind == TrainingExample.Kind.APPROVED]
    items = reference_items(course)
    replay_items = [i for i in items if i.id not in golden_items]
    system = system_prompt_for(course)
    # With its teacher answer in the prompt, as serving shows it to the same or a similar question.
    train = [_text(system, question_with_context(e.question, [], [], None, _teacher_answer(e)), e.earlier_turns,
                   e.answer) for e in corrections]
    replay = [_text(system, e.question, e.earlier_turns, e.answer) for e in approved]
    replay += [_text(system, i.prompt, [], f"The answer is {item_gold(i)[0][0]}.") for i in replay_items]
    replay = replay[: settings.ANNOTATION_REPLAY_MAX]
    trained = _asked([e.question for e in corrections + approved] + [i.prompt for i in replay_items])
    judged = [c for c in golden if _asked(_questions_of(c)).isdisjoint(trained)]  # never judge what was trained on
    cases = _correction_cases(corrections) + [_golden_case(c) for c in judged]
    summary = {
        "example_ids": sorted(e.id for e in examples), "corrections": len(corrections), "replay": len(replay),
        "trained_texts": len(train) + len(replay), "golden": len(judged),
        "golden_left_out_as_trained": len(golden) - len(judged), "reworded": sum(1 for c in cases if c.kind == "reworded"),
    }
    references = [_item_case("reference", i) for i in items]
    return RunData(train + replay, cases, [(f"example:{e.id}", e.question, e.answer) for e in corrections],
                   references, summary, [_teacher_answer(e) for e in corrections])


def eval_request(*, course: Course, question: str, adapter: AdapterRef | None) -> GenerationRequest:
    """The question as a student would ask it (no weak skills, no open practice item)."""
    teacher = teacher_answer_for(adapter=adapter, question=question)
    passages = [] if teacher else passages_for_question(
        course=course, question=question, limit=settings.LEARNING_PASSAGES_IN_PROMPT)
    turn = ChatTurn("user", question_with_context(question, passages, [], None, teacher))
    return GenerationRequest(system_prompt_for(course), [turn], settings.ANNOTATION_EVAL_MAX_NEW_TOKENS, adapter)


# --- the golden set ------------------------------------------------------------------------------------------


def golden_set_freeze(*, course: Course) -> list[GoldenCase]:
    """The course's golden set, chosen on first use and never changed (so versions stay comparable): every
    golden question its authors wrote on the notes, then a share of its practice items (choice items with their
    options) and approved answers, by a stable hash, up to ANNOTATION_GOLDEN_MAX. A question teachers have
    already corrected is never drawn."""
    existing = list(GoldenCase.objects.filter(course=course).select_related("item"))
    if existing:
        return existing
    share = settings.ANNOTATION_GOLDEN_SHARE
    corrected = _asked(TrainingExample.objects.filter(course=course, kind=TrainingExample.Kind.CORRECTION)
                       .values_list("question", flat=True))
    authored = GoldenQuestion.objects.filter(course=course).order_by("id")
    items = Item.objects.filter(course=course, retired=False).order_by("id")
    approved = TrainingExample.objects.filter(course=course, kind=TrainingExample.Kind.APPROVED).order_by("id")
    rows = [_golden_authored(course, question) for question in authored]
    rows += [_golden_item(course, i) for i in items if _stable_share(f"item:{i.key}") < share]
    rows += [GoldenCase(course=course, source=GoldenCase.Source.APPROVED, question=e.question, gold=[e.answer],
                        gold_check="reference", example=e) for e in approved if _stable_share(f"example:{e.id}") < share]
    rows = [row for row in rows if _asked(_questions_of(row)).isdisjoint(corrected)]
    return GoldenCase.objects.bulk_create(rows[: settings.ANNOTATION_GOLDEN_MAX])


def _questions_of(case: GoldenCase) -> list[str]:
    """The case's question, and the practice item's own prompt for an item (a choice case adds its options)."""
    return [case.question, case.item.prompt] if case.item_id else [case.question]


def _golden_authored(course: Course, question: GoldenQuestion) -> GoldenCase:
    return GoldenCase(course=course, source=GoldenCase.Source.NOTES, question=question.question,
                      gold=list(question.gold), gold_check=question.gold_check, golden_question=question)


def _golden_item(course: Course, item: Item) -> GoldenCase:
    if item.answer_spec["kind"] == "choice":
        options = [[c["key"], c["text"]] for c in item.choices]
        return GoldenCase(course=course, source=GoldenCase.Source.ITEM, question=choice_question(item), item=item,
                          gold=[item.answer_spec["answer"]], gold_check="choice", options=options)
    forms, check = item_gold(item)
    return GoldenCase(course=course, source=GoldenCase.Source.ITEM, question=item.prompt, gold=list(forms),
                      gold_check=check, item=item)


def choice_question(item: Item) -> str:
    """A choice item as a student would paste it: the prompt, then one option a line."""
    return "\n".join([item.prompt, *(f"{c['key']}) {c['text']}" for c in item.choices)])


def _asked(questions) -> set[str]:
    """Questions compared as asked: case and spacing aside."""
    return {" ".join(question.casefold().split()) for question in questions}


def _stable_share(key: str) -> float:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 16**8


# --- reference questions -------------------------------------------------------------------------------------


def reference_items(course: Course) -> list[Item]:
    """Practice items whose key can grade a tutor's sentence (multiple choice needs its options, so not those)."""
    items = Item.objects.filter(course=course, retired=False).order_by("id")
    return [i for i in items if i.answer_spec.get("kind") in ("exact", "set", "numeric")]


def item_gold(item: Item) -> tuple[tuple[str, ...], str]:
    spec = item.answer_spec
    if spec["kind"] == "numeric":
        forms = (_plain_number(spec["value"]),)
    elif spec["kind"] == "set":
        forms = tuple(spec["answers"])
    else:
        forms = (spec["answer"],)
    return forms, gold_check_for(item.prompt, forms)


def gold_check_for(question: str, forms: tuple[str, ...]) -> str:
    """numeric when every form is a number the question does not already state, else contains."""
    numbers = [parse_number(f) for f in forms]
    if all(n is not None for n in numbers) and not set(numbers) & set(numbers_in(question)):
        return "numeric"
    return "contains"


def _plain_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# --- examples and cases --------------------------------------------------------------------------------------


def _examples(course: Course, example_ids: list[int] | None, golden: set[int]) -> list[TrainingExample]:
    queryset = TrainingExample.objects.filter(course=course).order_by("id")
    if example_ids is not None:
        queryset = queryset.filter(id__in=example_ids)
    return [e for e in queryset if e.id not in golden]


def _latest_per_question(corrections: list[TrainingExample]) -> list[TrainingExample]:
    latest: dict[str, TrainingExample] = {}
    for example in corrections:  # oldest first: a later correction of the same question wins
        latest[" ".join(example.question.casefold().split())] = example
    return sorted(latest.values(), key=lambda e: e.id)


def _teacher_answer(example: TrainingExample) -> TeacherAnswer:
    return TeacherAnswer(example.question, example.answer)


def _text(system: str, question: str, earlier: list, answer: str) -> TrainingText:
    turns = [ChatTurn("user" if role == "student" else "assistant", text) for role, text in earlier]
    return TrainingText(system, (*turns, ChatTurn("user", question)), answer)


def _correction_cases(corrections: list[TrainingExample]) -> list[EvalCase]:
    cases = []
    for example in corrections:
        gold = tuple(example.gold) or (example.answer,)
        check = example.gold_check or ("reference" if not example.gold else "contains")
        ref = f"example:{example.id}"
        cases.append(EvalCase("corrected", example.question, gold, check, ref))
        cases += [EvalCase("reworded", text, gold, check, ref) for text in example.rewordings]
    return cases


def _golden_case(case: GoldenCase) -> EvalCase:
    return EvalCase("golden", case.question, tuple(case.gold), case.gold_check, f"golden:{case.id}",
                    tuple(tuple(option) for option in case.options))


def _item_case(kind: str, item: Item) -> EvalCase:
    forms, check = item_gold(item)
    return EvalCase(kind, item.prompt, forms, check, f"item:{item.id}")
