"""Annotation's section of a student's data (learning.privacy): the router's scores of the answers they got,
the review tasks on those answers with their history, and the training examples made from their conversations.
Registered in ``AnnotationConfig.ready``.

On erase (and when their conversation expires) scores and review tasks go with the answers. A training example
stays, because a teacher's correction is course material, but only as anonymised text (learning.privacy
.anonymising) with its provenance reduced to the course: no source message, review task or teacher. The golden
cases frozen from it and the reports of the course's training runs, which quote questions, are anonymised the
same way. Adapters already trained on the example are not retrained; the next retraining uses the anonymised
text (docs/privacy.md).
"""
from __future__ import annotations

import re
from datetime import datetime

from django.db.models import Q, QuerySet
from pydantic import JsonValue

from annotation.models import AnswerScore, GoldenCase, ReviewTask, TrainingExample, TrainingRun
from learning.privacy.account import student_pattern
from learning.privacy.anonymising import json_anonymise, text_anonymise
from learning.privacy.registry import Conversations, Part, PrivacySection, Student, Tally
from tutor.models import Message

ANNOTATION_LEVEL = 2


class AnswerScorePart(Part):
    answer: int
    course: str
    p_correct: float
    flag: str
    features: JsonValue
    created_at: datetime


class ReviewEventPart(Part):
    action: str
    created_at: datetime


class ReviewTaskPart(Part):
    answer: int
    course: str
    reason: str
    status: str
    p_correct: float
    corrected_text: str
    reject_reason: str
    created_at: datetime
    resolved_at: datetime | None
    events: list[ReviewEventPart]  # who acted is the teachers' data, not the student's


class TrainingExamplePart(Part):
    id: int
    course: str
    kind: str
    question: str
    earlier_turns: JsonValue
    answer: str
    original_answer: str
    source_message: int | None
    created_at: datetime


class AnnotationPart(Part):
    answer_scores: list[AnswerScorePart]
    review_tasks: list[ReviewTaskPart]
    training_examples: list[TrainingExamplePart]


def _answers_of(student: Student):
    return Message.objects.filter(conversation__student=student)


def _examples_from(messages) -> QuerySet[TrainingExample]:
    return TrainingExample.objects.filter(Q(source_message__in=messages) | Q(review_task__answer__in=messages))


def annotation_export(student: Student) -> AnnotationPart:
    answers = _answers_of(student)
    scores = AnswerScore.objects.filter(Q(student=student) | Q(message__in=answers)).select_related("course")
    tasks = ReviewTask.objects.filter(answer__in=answers).select_related("course").prefetch_related("events")
    examples = _examples_from(answers).select_related("course")
    return AnnotationPart(
        answer_scores=[AnswerScorePart(answer=s.message_id, course=s.course.slug, p_correct=s.p_correct, flag=s.flag,
                                       features=s.features, created_at=s.created_at) for s in scores.order_by("pk")],
        review_tasks=[_task(t) for t in tasks.order_by("id")],
        training_examples=[
            TrainingExamplePart(id=e.pk, course=e.course.slug, kind=e.kind, question=e.question,
                                earlier_turns=e.earlier_turns, answer=e.answer, original_answer=e.original_answer,
                                source_message=e.source_message_id, created_at=e.created_at)
            for e in examples.order_by("id")],
    )


def _task(task: ReviewTask) -> ReviewTaskPart:
    return ReviewTaskPart(
        answer=task.answer_id, course=task.course.slug, reason=task.reason, status=task.status,
        p_correct=task.p_correct, corrected_text=task.corrected_text, reject_reason=task.reject_reason,
        created_at=task.created_at, resolved_at=task.resolved_at,
        events=[ReviewEventPart(action=e.action, created_at=e.created_at) for e in task.events.all()])


def annotation_erase(student: Student, tally: Tally) -> None:
    # Their answers' scores, tasks and examples went with their conversations (annotation_forget_conversations).
    tally.delete(AnswerScore.objects.filter(student=student))


def annotation_forget_conversations(conversations: Conversations, tally: Tally) -> None:
    messages = Message.objects.filter(conversation__in=conversations)
    _examples_anonymise(_examples_from(messages), tally)
    tally.delete(AnswerScore.objects.filter(message__in=messages))
    tally.delete(ReviewTask.objects.filter(answer__in=messages))


def _examples_anonymise(examples, tally: Tally) -> None:
    """Each example's text without its student's identifiers, provenance cut to the course; then the golden
    cases frozen from it and the run reports that quote it."""
    examples = list(examples.select_related("source_message__conversation__student",
                                            "review_task__answer__conversation__student"))
    patterns: dict[int, re.Pattern | None] = {}  # example id: its student's identifiers
    quoted: list[tuple[str, re.Pattern | None]] = []  # each question as reports quote it, before anonymising
    for example in examples:
        patterns[example.pk] = pattern = student_pattern(_student_of(example))
        quoted += [(question, pattern) for question in (example.question, *example.rewordings) if question]
        _example_anonymise(example, pattern)
    TrainingExample.objects.bulk_update(examples, ["question", "earlier_turns", "answer", "original_answer",
                                                   "rewordings", "gold", "source_message", "review_task", "teacher"])
    tally.anonymise(TrainingExample, len(examples))
    _golden_cases_anonymise(GoldenCase.objects.filter(example__in=examples), patterns, tally)
    _runs_anonymise(TrainingRun.objects.filter(course__in={e.course_id for e in examples}), quoted, tally)


def _student_of(example: TrainingExample):
    message = example.source_message or example.review_task.answer
    return message.conversation.student


def _example_anonymise(example: TrainingExample, pattern: re.Pattern | None) -> None:
    example.question = text_anonymise(example.question, pattern)
    example.earlier_turns = json_anonymise(example.earlier_turns, pattern)
    example.answer = text_anonymise(example.answer, pattern)
    example.original_answer = text_anonymise(example.original_answer, pattern)
    example.rewordings = json_anonymise(example.rewordings, pattern)
    example.gold = json_anonymise(example.gold, pattern)
    example.source_message = example.review_task = example.teacher = None


def _golden_cases_anonymise(cases, patterns: dict[int, re.Pattern | None], tally: Tally) -> None:
    cases = list(cases)
    for case in cases:
        case.question = text_anonymise(case.question, patterns[case.example_id])
    GoldenCase.objects.bulk_update(cases, ["question"])
    tally.anonymise(GoldenCase, len(cases))


def _runs_anonymise(runs, quoted: list[tuple[str, re.Pattern | None]], tally: Tally) -> None:
    """A run's report quotes its cases' questions (cut to a few hundred characters) with the answers given: each
    quoted entry of an anonymised example is anonymised with its student's identifiers, the rest left as is."""
    changed = []
    for run in runs.only("id", "report"):
        report = _quotes_anonymise(run.report, quoted)
        if report != run.report:
            run.report = report
            changed.append(run)
    TrainingRun.objects.bulk_update(changed, ["report"])
    tally.anonymise(TrainingRun, len(changed))


def _quotes_anonymise(value, quoted: list[tuple[str, re.Pattern | None]]):
    if isinstance(value, list):
        return [_quotes_anonymise(item, quoted) for item in value]
    if not isinstance(value, dict):
        return value
    question = value.get("question")
    if isinstance(question, str) and question:
        pattern = next((pattern for original, pattern in quoted if original.startswith(question)), False)
        if pattern is not False:
            return json_anonymise(value, pattern)
    return {key: _quotes_anonymise(item, quoted) for key, item in value.items()}


ANNOTATION_SECTION = PrivacySection(key="annotation", level=ANNOTATION_LEVEL, part=AnnotationPart,
                                    export=annotation_export, erase=annotation_erase,
                                    forget_conversations=annotation_forget_conversations)
