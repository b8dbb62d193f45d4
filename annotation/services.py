"""Teachers' verdicts on review tasks: claim, release, approve, correct, reject; on a task whose answer is held
as a draft (tutor.drafts), the verdict decides the draft too, in the same transaction.

Every state change is a compare-and-swap on the task's status, so two teachers never resolve one task
twice, and every change leaves a ReviewEvent. Access: a task outside the teacher's courses is
``task_not_found``, exactly like a missing one.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from annotation.models import ReviewEvent, ReviewTask, TrainingExample
from annotation.selectors import review_task_get_for_teacher
from tutor.celery import task_enqueue
from tutor.drafts import draft_decide
from tutor.models import Draft
from tutor.selectors import prior_turns
from tutor.services import answer_correction_record

Status = ReviewTask.Status


class ReviewError(Exception):
    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


MAX_KEY_CHARS = 200
TASK_NOT_FOUND = ("task_not_found", gettext_lazy("There is no review task with this id in your courses."))
# What a teacher reads of a field that is wrong (the code names the field in English).
FIELD_NAMES = {"correction": gettext_lazy("correction"), "reason": gettext_lazy("reason")}


def review_claim(*, task_id: int, teacher: AbstractBaseUser) -> ReviewTask:
    """Take the task, so other teachers see it is being reviewed. Idempotent for the teacher holding it;
    a claim left for longer than ANNOTATION_CLAIM_TTL_S can be taken over."""
    task = _task_for(teacher, task_id)
    now = timezone.now()
    claimable = Q(status=Status.OPEN) | _stale_claim(now) | Q(status=Status.CLAIMED, claimed_by=teacher)
    with transaction.atomic():
        if ReviewTask.objects.filter(claimable, id=task.id).update(
                status=Status.CLAIMED, claimed_by=teacher, claimed_at=now) != 1:
            raise _conflict(task.id)
        ReviewEvent.objects.create(task_id=task.id, actor=teacher, action=ReviewEvent.Action.CLAIMED)
    return ReviewTask.objects.get(id=task.id)


def review_release(*, task_id: int, teacher: AbstractBaseUser) -> ReviewTask:
    task = _task_for(teacher, task_id)
    with transaction.atomic():
        if ReviewTask.objects.filter(id=task.id, status=Status.CLAIMED, claimed_by=teacher).update(
                status=Status.OPEN, claimed_by=None, claimed_at=None) != 1:
            raise _conflict(task.id)
        ReviewEvent.objects.create(task_id=task.id, actor=teacher, action=ReviewEvent.Action.RELEASED)
    return ReviewTask.objects.get(id=task.id)


def review_approve(*, task_id: int, teacher: AbstractBaseUser, draft_only: bool = False) -> ReviewTask:
    """The answer is right. It becomes an approved training example (the replay set of retraining); a draft of
    it still held is sent to the student as written. ``draft_only``: refused unless such a draft is held."""
    task = _task_for(teacher, task_id)
    with transaction.atomic():
        _resolve(task, teacher, Status.APPROVED)
        _settle_draft(task, teacher, Draft.Status.APPROVED, draft_only)
        _training_example(task, teacher, TrainingExample.Kind.APPROVED, task.answer.text)
    return _after_verdict(task.id)


def draft_approve(*, task_id: int, teacher: AbstractBaseUser) -> ReviewTask:
    """The held draft goes to the student as written (drafts page)."""
    return review_approve(task_id=task_id, teacher=teacher, draft_only=True)


def draft_edit(*, task_id: int, teacher: AbstractBaseUser, text: str) -> ReviewTask:
    """The student gets ``text`` instead of the held draft (drafts page); a correction like any other."""
    return review_correct(task_id=task_id, teacher=teacher, text=text, draft_only=True)


def draft_reject(*, task_id: int, teacher: AbstractBaseUser, reason: str) -> ReviewTask:
    """The held draft is not sent; the student reads a short message instead (drafts page)."""
    return review_reject(task_id=task_id, teacher=teacher, reason=reason, draft_only=True)


def _settle_draft(task: ReviewTask, teacher: AbstractBaseUser, status: str, draft_only: bool, text: str = "") -> bool:
    """The verdict decides the answer's draft too, if one is still held (compare-and-swap in tutor.drafts).
    ``draft_only``: the verdict was given on the drafts page, so a draft no longer held refuses it, and the
    caller's transaction undoes the review's resolution with it."""
    if draft_decide(answer_id=task.answer_id, teacher=teacher, status=status, text=text) is not None:
        return True
    if draft_only:
        raise _draft_gone(task.answer_id)
    return False


def _draft_gone(answer_id: int) -> ReviewError:
    draft = Draft.objects.select_related("decided_by").filter(answer_id=answer_id).first()
    if draft is None:
        return ReviewError("draft_not_found", _("This answer was never held as a draft."))
    if draft.status == Draft.Status.RELEASED:
        return ReviewError("draft_released", _(
            "The wait ended and this draft was already sent, labelled as not yet checked. Its review task is "
            "still open: a correction on the review page still reaches the student."))
    return ReviewError("draft_decided", _("%(teacher)s already decided this draft: %(status)s.") % {
        "teacher": draft.decided_by, "status": draft.get_status_display().lower()})


def review_correct(*, task_id: int, teacher: AbstractBaseUser, text: str, key_answer: str = "",
                   rewordings: str | list[str] = "", draft_only: bool = False) -> ReviewTask:
    """The answer is wrong and ``text`` is what the tutor should have said. The student sees the correction
    at once on any open socket and in history; the correction becomes a training example.

    ``key_answer`` (what a right answer must contain) and ``rewordings`` (other ways to ask; a list or one
    per line) are optional: retraining tests the new tutor on the rewordings, graded by the key answer."""
    text = _checked_text(text, "correction", settings.ANNOTATION_MAX_CORRECTION_CHARS)
    key, reworded = _checked_key(key_answer), _checked_rewordings(rewordings)
    task = _task_for(teacher, task_id)
    with transaction.atomic():
        _resolve(task, teacher, Status.CORRECTED, corrected_text=text)
        if not _settle_draft(task, teacher, Draft.Status.EDITED, draft_only, text):
            answer_correction_record(answer_id=task.answer_id, text=text)
        _training_example(task, teacher, TrainingExample.Kind.CORRECTION, text, key=key, rewordings=reworded)
    return _after_verdict(task.id)


def review_reject(*, task_id: int, teacher: AbstractBaseUser, reason: str, draft_only: bool = False) -> ReviewTask:
    """The answer is wrong (or should not have been given), without a corrected text. A draft of it still held
    is not sent: the student reads a short message instead."""
    reason = _checked_text(reason, "reason", settings.ANNOTATION_MAX_REASON_CHARS)
    task = _task_for(teacher, task_id)
    with transaction.atomic():
        _resolve(task, teacher, Status.REJECTED, reject_reason=reason)
        _settle_draft(task, teacher, Draft.Status.REJECTED, draft_only)
    return _after_verdict(task.id)


def _task_for(teacher: AbstractBaseUser, task_id: int) -> ReviewTask:
    task = review_task_get_for_teacher(user=teacher, task_id=task_id)
    if task is None:
        raise ReviewError(*TASK_NOT_FOUND)
    return task


def _stale_claim(now) -> Q:
    return Q(status=Status.CLAIMED, claimed_at__lt=now - timedelta(seconds=settings.ANNOTATION_CLAIM_TTL_S))


def _resolve(task: ReviewTask, teacher: AbstractBaseUser, status: str, **fields) -> None:
    now = timezone.now()
    resolvable = Q(status=Status.OPEN) | Q(status=Status.CLAIMED, claimed_by=teacher) | _stale_claim(now)
    if ReviewTask.objects.filter(resolvable, id=task.id).update(
            status=status, resolved_by=teacher, resolved_at=now, **fields) != 1:
        raise _conflict(task.id)
    detail = {key: value for key, value in fields.items() if value}
    ReviewEvent.objects.create(task_id=task.id, actor=teacher, action=status, detail=detail)


def _conflict(task_id: int) -> ReviewError:
    task = ReviewTask.objects.select_related("claimed_by", "resolved_by").get(id=task_id)
    if task.status == Status.CLAIMED:
        return ReviewError("task_claimed", _("%(teacher)s is reviewing this answer.") % {"teacher": task.claimed_by})
    if task.status == Status.SUPERSEDED:
        return ReviewError("task_superseded", _("This task was dropped for an answer more likely to be wrong."))
    if task.status == Status.OPEN:
        return ReviewError("task_not_claimed", _("You do not hold this task; claim it first."))
    return ReviewError("task_resolved", _("%(teacher)s already %(verdict)s this answer.")
                       % {"teacher": task.resolved_by, "verdict": str(task.get_status_display()).lower()})


def _checked_text(text: object, field: str, limit: int) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ReviewError("invalid_input",
                          _("The %(field)s is empty; expected some text.") % {"field": FIELD_NAMES[field]})
    text = text.strip()
    if len(text) > limit:
        raise ReviewError("invalid_input", _("The %(field)s has %(length)d characters; at most %(limit)d are allowed.")
                          % {"field": FIELD_NAMES[field], "length": len(text), "limit": limit})
    return text


def _checked_key(key: object) -> str:
    if not isinstance(key, str):
        raise ReviewError("invalid_input", _("The key answer must be text."))
    key = " ".join(key.split())
    if len(key) > MAX_KEY_CHARS:
        raise ReviewError("invalid_input", _("The key answer has %(length)d characters; at most %(limit)d are allowed.")
                          % {"length": len(key), "limit": MAX_KEY_CHARS})
    return key


def _checked_rewordings(rewordings: object) -> list[str]:
    lines = rewordings.splitlines() if isinstance(rewordings, str) else rewordings
    if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
        raise ReviewError("invalid_input", _("The rewordings must be text, one question per line."))
    cleaned = [" ".join(line.split()) for line in lines if line.strip()]
    limit, longest = settings.ANNOTATION_MAX_REWORDINGS, settings.TUTOR_MAX_QUESTION_CHARS
    if len(cleaned) > limit:
        raise ReviewError("invalid_input", _("There are %(count)d rewordings; at most %(limit)d are allowed.")
                          % {"count": len(cleaned), "limit": limit})
    for number, line in enumerate(cleaned, start=1):
        if len(line) > longest:
            raise ReviewError("invalid_input", _("Rewording %(number)d has %(length)d characters; at most %(limit)d.")
                              % {"number": number, "length": len(line), "limit": longest})
    return cleaned


def _training_example(task: ReviewTask, teacher: AbstractBaseUser, kind: str, answer_text: str, key: str = "",
                      rewordings: list[str] | None = None) -> None:
    """The question with the turns the tutor saw before it (corrections in place of what they corrected),
    so that training shows the model what serving shows it."""
    from annotation.training_data import gold_check_for

    answer = task.answer
    question = answer.reply_to.text
    TrainingExample.objects.create(
        course_id=task.course_id, kind=kind, question=question,
        earlier_turns=[list(turn) for turn in prior_turns(answer=answer, limit=settings.TUTOR_CONTEXT_TURNS)],
        answer=answer_text, original_answer=answer.text, source_message=answer, review_task=task, teacher=teacher,
        model_name=answer.model_name, gold=[key] if key else [], gold_check=gold_check_for(question, (key,)) if key else "",
        rewordings=rewordings or [],
    )


def _after_verdict(task_id: int) -> ReviewTask:
    task = ReviewTask.objects.get(id=task_id)
    transaction.on_commit(lambda: task_enqueue("annotation.router_refit_if_due"))
    if task.status == Status.CORRECTED:
        transaction.on_commit(lambda: task_enqueue("annotation.training_start_if_due", task.course_id))
    return task
