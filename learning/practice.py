"""Practice: serving the next item to a student and recording their answer (services).

A served item stays open until it is answered or a newer one replaces it; an answer is accepted once,
for an open item served to that student (compare-and-swap on ``ServedItem.answered_at``). The attempt,
the closed serving and the student's new knowledge state are written in one transaction, the state
by compare-and-swap on ``KnowledgeState.version`` so that two answers racing never lose an update.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learning.course_knowledge import CourseKnowledge, course_knowledge, student_state
from learning.errors import COURSE_NOT_FOUND
from learning.grading import ANSWER_SPEC, grade
from learning.knowledge import StudentState, items_of_skill, select_diagnose, select_practice
from learning.misconceptions.matching import Misconception, misconception_for
from learning.models import Attempt, Course, Item, KnowledgeState, ServedItem, StudentMisconception
from learning.selectors import course_get_for_student
from learning.signals import practice_graded

MODES = ("diagnose", "practice")
_STATE_RETRIES = 10


class PracticeError(Exception):
    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


NO_ITEMS = ("no_items", _("This course has no practice items yet."))
NO_OTHER_ITEM = ("no_other_item", _("The only item of this course is the one you just answered."))
UNKNOWN_SKILL = ("unknown_skill", _("This course has no practice items on that skill."))
ITEM_NOT_OPEN = ("item_not_open", _("No open item with this id was served to you; ask for one with next_item."))
ITEM_REPLACED = ("item_not_open", _("This item was replaced by a newer one; answer the newer item."))
ALREADY_ANSWERED = ("item_already_answered",
                    _("You already answered this item; ask for the next one with next_item."))


@dataclass(frozen=True)
class ServedPractice:
    serving: ServedItem
    item: Item
    mode: str  # "diagnose", "practice" or "review" (practice with every skill mastered)
    skill: str
    skill_name: str
    predicted_success: float | None  # None: an item served earlier whose parameters are no longer known


@dataclass(frozen=True)
class GradedAttempt:
    attempt: Attempt
    expected: str  # in the item's own form (learning.grading.expected_number)
    mastery: dict[str, float]  # the answered item's skills, after the update
    skill_names: dict[str, str] = field(default_factory=dict)  # the same skills' names
    misconception: Misconception | None = None  # what a wrong answer showed, when anything is known to


def practice_item_serve(*, student: AbstractBaseUser, course_id: int, mode: str,
                        skill: str | None = None) -> ServedPractice:
    """Choose the student's next item in ``mode`` and open it (any older open item is closed). With ``skill``
    (a skill's key: practice on one skill, as an LMS activity asks), only that skill's items are chosen from."""
    course = course_get_for_student(user=student, course_id=course_id)
    if course is None:
        raise PracticeError(*COURSE_NOT_FOUND)
    knowledge = course_knowledge(course=course)
    if knowledge.bank is None:
        raise PracticeError(*NO_ITEMS)
    state, _ = student_state(student=student, course=course)
    allowed = None if skill is None else items_of_skill(knowledge.bank, skill)
    if skill is not None and allowed is None:
        raise PracticeError(*UNKNOWN_SKILL)
    choice = _choose(knowledge, state, mode, allowed)
    if choice is None:
        raise PracticeError(*NO_OTHER_ITEM)
    item = Item.objects.prefetch_related("skills").get(pk=knowledge.item_pk_by_key[choice.item_id])
    serving = _open_serving(student, course, item, mode)
    skill = _focus_skill(knowledge, state, item)
    return ServedPractice(serving, item, choice.mode, skill, knowledge.skill_names.get(skill, skill),
                          choice.predicted_success)


def _choose(knowledge: CourseKnowledge, state: StudentState, mode: str, allowed):
    if mode == "diagnose":
        return select_diagnose(knowledge.bank, state, allowed=allowed)
    return select_practice(knowledge.bank, state, knowledge.prerequisites, target=settings.LEARNING_PRACTICE_TARGET,
                           mastery_level=settings.LEARNING_MASTERY_LEVEL, allowed=allowed)


def _focus_skill(knowledge: CourseKnowledge, state: StudentState, item: Item) -> str:
    """Of the item's skills, the one the student is weakest in (what the item is practising)."""
    mastery = knowledge.mastery(state)
    keys = [s.key for s in item.skills.all()]
    return min(keys, key=lambda k: mastery.get(k, 1.0), default="")


@transaction.atomic
def _open_serving(student, course: Course, item: Item, mode: str) -> ServedItem:
    open_items(student=student, course=course).update(skipped_at=timezone.now())
    return ServedItem.objects.create(student=student, item=item, mode=mode)


def open_items(*, student, course: Course):
    return ServedItem.objects.filter(student=student, item__course=course, answered_at=None, skipped_at=None)


def _current_serving(student, course: Course) -> ServedItem | None:
    """The open serving the student is working on in the course: one served within the last
    ``LEARNING_OPEN_ITEM_TTL_S``. An older open item can still be answered, but nobody is working on it."""
    return _recent_open_servings([student.pk], course).first()


def _recent_open_servings(student_ids: Sequence[int], course: Course):
    """Open servings within the last ``LEARNING_OPEN_ITEM_TTL_S``, newest first for each student."""
    since = timezone.now() - timedelta(seconds=settings.LEARNING_OPEN_ITEM_TTL_S)
    return (ServedItem.objects.filter(student_id__in=set(student_ids), item__course=course, answered_at=None,
                                      skipped_at=None, served_at__gte=since)
            .select_related("item").order_by("student_id", "-served_at", "-pk"))


def open_item_for_hints(*, student, course: Course) -> Item | None:
    """The item the student is working on in the course, if it was served recently; the tutor gives hints on it
    and never its answer."""
    return open_items_for_hints(student_ids=[student.pk], course=course).get(student.pk)


def open_items_for_hints(*, student_ids: Sequence[int], course: Course) -> dict[int, Item]:
    """``open_item_for_hints`` for many students of one course in one query: by student id, for those who
    have one."""
    items: dict[int, Item] = {}
    for serving in _recent_open_servings(student_ids, course):
        items.setdefault(serving.student_id, serving.item)
    return items


def open_item_served(*, student: AbstractBaseUser, course_id: int) -> ServedPractice | None:
    """The item the student is working on in the course (the one the tutor gives hints on), as it was served,
    or None. Reading it changes nothing: a page that reloads shows it again, still answerable."""
    course = course_get_for_student(user=student, course_id=course_id)
    if course is None:
        raise PracticeError(*COURSE_NOT_FOUND)
    serving = _current_serving(student, course)
    if serving is None:
        return None
    knowledge = course_knowledge(course=course)
    state, _ = student_state(student=student, course=course)
    item = serving.item
    skill = _focus_skill(knowledge, state, item)
    predicted = knowledge.model.predict(state, item.key) if item.key in knowledge.model.items else None
    return ServedPractice(serving, item, serving.mode, skill, knowledge.skill_names.get(skill, skill), predicted)


def practice_answer_submit(*, student: AbstractBaseUser, item_id: int, response: str) -> GradedAttempt:
    """Grade the student's answer to an open item they were served, record it and update their knowledge."""
    serving = _latest_serving(student, item_id)
    item = serving.item
    spec = ANSWER_SPEC.validate_python(item.answer_spec)
    result = grade(spec, response, item.prompt)
    misconception = None if result.correct else misconception_for(
        response=response, spec=spec, prompt=item.prompt, declared=item.misconceptions or ())
    with transaction.atomic():
        claimed = ServedItem.objects.filter(pk=serving.pk, answered_at=None, skipped_at=None)
        if not claimed.update(answered_at=timezone.now()):
            raise PracticeError(*ALREADY_ANSWERED)
        attempt = Attempt.objects.create(student=student, item=item, serving=serving, response=response,
                                         correct=result.correct,
                                         misconception=misconception.as_dict() if misconception else None)
        if misconception is not None:
            student_misconception_record(student=student, course=item.course, misconception=misconception)
        knowledge = course_knowledge(course=item.course)
        state = _state_update(student, item.course, knowledge, item.key, result.correct)
        transaction.on_commit(lambda: practice_graded.send_robust(sender=Attempt, student=student,
                                                                     course_id=item.course_id))
    mastery = knowledge.mastery(state)
    skills = [k for k in (s.key for s in item.skills.all()) if k in mastery]
    return GradedAttempt(attempt, result.expected, {k: round(mastery[k], 4) for k in skills},
                         {k: knowledge.skill_names.get(k, k) for k in skills}, misconception)


def student_misconception_record(*, student, course: Course, misconception: Misconception) -> None:
    """Count one more showing of ``misconception`` for the student (created on the first). Race-safe: an
    ``F() + 1`` update, and a lost race to create the row becomes that update."""
    now = timezone.now()
    rows = StudentMisconception.objects.filter(student=student, course=course, key=misconception.id)
    if rows.update(times=F("times") + 1, text=misconception.text, last_seen_at=now):
        return
    try:
        with transaction.atomic():
            StudentMisconception.objects.create(student=student, course=course, key=misconception.id,
                                                text=misconception.text, last_seen_at=now)
    except IntegrityError:
        rows.update(times=F("times") + 1, text=misconception.text, last_seen_at=now)


def _latest_serving(student, item_id: int) -> ServedItem:
    """The student's latest serving of the item, in a course they are still a student of."""
    serving = (
        ServedItem.objects.filter(student=student, item_id=item_id)
        .select_related("item__course").prefetch_related("item__skills").order_by("-served_at", "-pk").first()
    )
    if serving is None or course_get_for_student(user=student, course_id=serving.item.course_id) is None:
        raise PracticeError(*ITEM_NOT_OPEN)
    if serving.answered_at is not None:
        raise PracticeError(*ALREADY_ANSWERED)
    if serving.skipped_at is not None:
        raise PracticeError(*ITEM_REPLACED)
    return serving


def _state_update(student, course: Course, knowledge: CourseKnowledge, item_key: str, correct: bool) -> StudentState:
    """Apply one attempt to the stored state by compare-and-swap on its version, retrying on a race."""
    for _ in range(_STATE_RETRIES):
        state, version = student_state(student=student, course=course)
        new_state = knowledge.model.update(state, item_key, correct)
        if _state_swap(student, course, version, new_state):
            return new_state
    raise RuntimeError(f"knowledge state of student {student.pk} in course {course.pk} kept changing")


def _state_swap(student, course: Course, version: int, state: StudentState) -> bool:
    if version == 0:
        try:
            with transaction.atomic():
                KnowledgeState.objects.create(student=student, course=course, state=state.to_dict(), version=1)
            return True
        except IntegrityError:
            return False  # another answer created it first: read it and apply on top
    rows = KnowledgeState.objects.filter(student=student, course=course, version=version)
    return bool(rows.update(state=state.to_dict(), version=version + 1, updated_at=timezone.now()))


@dataclass(frozen=True)
class AnsweredAttempt:
    """A student's wrong answer as the tutor is told it ("Ask the tutor about this")."""

    attempt_id: int
    prompt: str
    response: str  # a choice's text, not its key
    expected: str
    misconception: Misconception | None


def answered_attempt_get(*, student: AbstractBaseUser, course_id: int, attempt_id: int) -> AnsweredAttempt | None:
    """The student's own attempt in a course they are a student of, or None (missing and not-yours alike)."""
    if course_get_for_student(user=student, course_id=course_id) is None:
        return None
    attempt = (Attempt.objects.filter(id=attempt_id, student=student, item__course_id=course_id)
               .select_related("item").first())
    if attempt is None:
        return None
    item = attempt.item
    choices = {choice["key"]: choice["text"] for choice in item.choices or []}
    expected = grade(ANSWER_SPEC.validate_python(item.answer_spec), "", item.prompt).expected
    found = attempt.misconception
    return AnsweredAttempt(attempt.id, item.prompt, choices.get(attempt.response, attempt.response),
                           choices.get(expected, expected), Misconception(found["id"], found["text"]) if found else None)
