from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from learning.models import Course
from learning.practice import answered_attempt_get
from learning.selectors import course_get_for_student
from tutor import errors
from tutor.engine.types import Completion
from tutor.alerts import help_text_for, safeguarding_alert_record, safeguarding_signal
from tutor.ask_limits import question_allowed_check
from tutor.drafts import DraftRule, draft_hold
from tutor.errors import TutorError
from tutor.groups import group_frame_send, student_group
from tutor.models import ApiToken, AskResult, Conversation, Message
from tutor.protocol import correction_frame
from tutor.safeguarding.detector import Signal
from tutor.scoring import FinishedAnswer, Scoring, StoredAnswer, answers_score, scorings_after_store
from tutor.selectors import api_tokens_of, asks_in_window, conversation_exists_for, message_by_client_id

logger = logging.getLogger(__name__)


def question_ask(
    *, student: AbstractBaseUser, course_id: int, conversation_id: int | None, text: str, client_msg_id: uuid.UUID,
    about_attempt: int | None = None, language: str | None = None,
) -> AskResult:
    """Persist a question and its pending answer, or return the earlier ones for a repeated client_msg_id.
    ``about_attempt``: the question is about that practice answer of the student's, in this course; the tutor
    is told the item, the answer and its misconception (tutor.prompting). ``language``: the one the student reads,
    which the tutor is told to answer in (kept with the pending answer, for whichever process generates it).

    Raises TutorError for a course, conversation or attempt that is not the student's, past the rate limit, or
    refused by the course's settings (tutor.ask_limits): nothing is stored then. A repeat is found through the
    unique constraint, so the common case costs no extra query, and it is acknowledged even when the settings
    would now refuse a new question.
    """
    course = course_get_for_student(user=student, course_id=course_id)
    if course is None:
        raise TutorError(*errors.COURSE_NOT_FOUND)
    if about_attempt is not None and answered_attempt_get(student=student, course_id=course.id,
                                                          attempt_id=about_attempt) is None:
        raise TutorError(*errors.ATTEMPT_NOT_FOUND)
    conversation = _conversation_for_ask(student, course, conversation_id)
    signal = safeguarding_signal(text)
    try:
        _check_rate(student)
        with transaction.atomic():
            if signal is None:  # a student in distress always gets the help text
                question_allowed_check(student=student, course=course)
            return _write_question(student, conversation, text, client_msg_id, signal,
                                   {"about_attempt": about_attempt, "language": language})
    except (IntegrityError, TutorError):
        existing = message_by_client_id(sender=student, client_msg_id=client_msg_id)
        if existing is None:
            raise
        return _repeat_of(existing, course_id)


def _repeat_of(question: Message, course_id: int) -> AskResult:
    if question.conversation.course_id != course_id:
        raise TutorError("duplicate_client_msg_id", _("This client_msg_id was already used for another question."))
    return AskResult(question.conversation, question, question.answer, created=False)


def _conversation_for_ask(student, course: Course, conversation_id: int | None) -> Conversation:
    if conversation_id is None:
        return Conversation(student=student, course=course)
    if not conversation_exists_for(student=student, course_id=course.id, conversation_id=conversation_id):
        raise TutorError(*errors.CONVERSATION_NOT_FOUND)
    return Conversation(id=conversation_id, student=student, course=course)


def _check_rate(student) -> None:
    count, seconds = settings.TUTOR_ASK_RATE
    if asks_in_window(student=student, seconds=seconds) >= count:
        raise TutorError(
            "rate_limited", _("You can ask %(count)d questions every %(seconds)d seconds. Please wait a moment.")
            % {"count": count, "seconds": seconds}
        )


def _write_question(student, conversation: Conversation, text: str, client_msg_id: uuid.UUID,
                    signal: Signal | None, pending_context: dict | None = None) -> AskResult:
    """The question and its pending answer; or, when ``signal`` is a risk, the question, its safeguarding alert
    and the school's help text as the complete answer. The caller's transaction holds them together."""
    created_conversation = conversation.pk is None
    if created_conversation:
        conversation.title = text[:120]
        conversation.save()
    question = Message.objects.create(
        conversation=conversation, role=Message.Role.STUDENT, sender=student, client_msg_id=client_msg_id, text=text
    )
    if signal is not None:
        safeguarding_alert_record(question=question, course=conversation.course, signal=signal)
        answer = Message.objects.create(
            conversation=conversation, role=Message.Role.TUTOR, reply_to=question, status=Message.Status.COMPLETE,
            text=help_text_for(conversation.course), confidence=1.0, context={"safeguarding": signal.kind},
            completed_at=timezone.now(),
        )
    else:
        answer = Message.objects.create(
            conversation=conversation, role=Message.Role.TUTOR, reply_to=question, status=Message.Status.PENDING,
            context={key: value for key, value in (pending_context or {}).items() if value} or None,
        )
    return AskResult(conversation, question, answer, created=True, new_conversation=created_conversation,
                     safeguarding=signal is not None)


@dataclass(frozen=True)
class AnswerCompletion:
    """A generated answer to store (``answers_complete``). ``abstained``: the tutor showed its honest "not sure"
    instead of the scored answer; ``scoring``: the installed scorer's verdict already, on an answer held back
    for it (None: it is scored when stored)."""

    ask: AskResult
    completion: Completion
    context: dict | None = None
    sources: list[dict] | None = None
    abstained: bool = False
    scoring: Scoring | None = None
    hold: DraftRule | None = None  # the answer is held as a draft under this rule (tutor.drafts)


def answer_complete(*, ask: AskResult, completion: Completion, context: dict | None = None,
                    sources: list[dict] | None = None, abstained: bool = False,
                    scoring: Scoring | None = None) -> float | None:
    """``answers_complete`` for one answer."""
    return answers_complete(answers=[AnswerCompletion(ask, completion, context, sources, abstained, scoring)])[0]


@transaction.atomic
def answers_complete(*, answers: Sequence[AnswerCompletion]) -> list[float | None]:
    """Store finished answers with their confidences, in one transaction (an inference worker stores a batch
    with one commit), each scored once, before the store, by the installed scorer (tutor.scoring), the batch's
    unscored answers together. Compare-and-swap: one statement completes those of the batch's answers still
    pending, once, so an answer delivered twice, even twice in one batch, is stored once. Returns, for each
    answer, the stored confidence, or None when it was no longer pending and nothing was written. A scorer's
    follow-up that fails undoes only its own work."""
    scorings = _scorings(answers)
    firsts: dict[int, int] = {}  # answer id -> the index of its first completion in the batch, the one tried
    for index, answer in enumerate(answers):
        firsts.setdefault(answer.ask.answer.id, index)
    completed = _complete_pending([_completed_values(answers[i], scorings[i]) for i in firsts.values()])
    stored = [i for i in firsts.values() if answers[i].ask.answer.id in completed]
    for i in stored:
        if answers[i].hold is not None:
            draft_hold(answer_id=answers[i].ask.answer.id, course_id=answers[i].ask.conversation.course_id,
                       confidence=scorings[i].confidence, rule=answers[i].hold)
    scorings_after_store([StoredAnswer(scorings[i], answers[i].ask.answer.id, answers[i].abstained,
                                       answers[i].hold is not None) for i in stored])
    return [scorings[i].confidence if i in set(stored) else None for i in range(len(answers))]


COMPLETED_FIELDS = ("text", "confidence", "features", "model_name", "prompt_tokens", "context", "sources")


def _complete_pending(rows: list[dict]) -> set[int]:
    """Compare-and-swap over many answers in one statement: each row ({"id", *COMPLETED_FIELDS}) whose answer
    is still pending is completed with its values; returns the ids completed. A row another transaction is
    completing waits for it, then is left out (PostgreSQL re-checks the pending status after the lock)."""
    if not rows:
        return set()
    fields = [Message._meta.get_field(name) for name in COMPLETED_FIELDS]
    table, qn = Message._meta.db_table, connection.ops.quote_name
    casts = ", ".join(["CAST(%s AS bigint)", *(f"CAST(%s AS {field.db_type(connection)})" for field in fields)])
    columns = [qn(field.column) for field in fields]
    sql = (f"WITH v(id, {', '.join(columns)}) AS (VALUES {', '.join([f'({casts})'] * len(rows))}) "
           f"UPDATE {qn(table)} SET {qn('status')} = %s, {qn('completed_at')} = %s, "
           f"{', '.join(f'{column} = v.{column}' for column in columns)} "
           f"FROM v WHERE {qn(table)}.{qn('id')} = v.id AND {qn(table)}.{qn('status')} = %s "
           f"RETURNING {qn(table)}.{qn('id')}")
    params = [value for row in rows for value in
              [row["id"], *(field.get_db_prep_save(row[field.name], connection) for field in fields)]]
    completed_at = Message._meta.get_field("completed_at").get_db_prep_save(timezone.now(), connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, Message.Status.COMPLETE, completed_at, Message.Status.PENDING])
        return {answer_id for (answer_id,) in cursor.fetchall()}


def _stored_context(answer: AnswerCompletion) -> dict:
    return {**(answer.context or {}), "abstained": answer.abstained}


def _scorings(answers: Sequence[AnswerCompletion]) -> list[Scoring]:
    """Each answer's verdict: the one it came with, else the installed scorer's, the unscored ones together."""
    unscored = [answer for answer in answers if answer.scoring is None]
    fresh = iter(answers_score([
        finished_answer(ask=answer.ask, completion=answer.completion, context=_stored_context(answer),
                        sources=answer.sources) for answer in unscored]))
    return [answer.scoring or next(fresh) for answer in answers]


def _completed_values(answer: AnswerCompletion, scoring: Scoring) -> dict:
    completion = answer.completion
    return {"id": answer.ask.answer.id, "text": completion.text, "confidence": scoring.confidence,
            "features": stored_features(completion), "model_name": completion.model_name[:200],
            "prompt_tokens": completion.prompt_tokens, "context": _stored_context(answer),
            "sources": answer.sources or []}


def finished_answer(*, ask: AskResult, completion: Completion, context: dict,
                    sources: list[dict] | None = None) -> FinishedAnswer:
    """``completion`` as the scorer judges it."""
    return FinishedAnswer(
        answer_id=ask.answer.id, course_id=ask.conversation.course_id, student_id=ask.conversation.student_id,
        question=ask.question.text, text=completion.text, features=stored_features(completion), context=context,
        engine_confidence=completion.confidence, sources=tuple(sources or ()),
    )


def stored_features(completion: Completion) -> dict:
    return {**completion.features.as_dict(), "dropped_turns": completion.dropped_turns,
            "finish_reason": completion.finish_reason}


def answer_correction_record(*, answer_id: int, text: str) -> Message:
    """Show ``text`` instead of a completed answer, in history and in later prompts (the original is kept).

    The student's open sockets get a ``correction`` frame once the transaction commits."""
    updated = Message.objects.filter(
        id=answer_id, role=Message.Role.TUTOR, status=Message.Status.COMPLETE
    ).update(corrected_text=text, corrected_at=timezone.now())
    if updated != 1:
        raise TutorError("answer_not_found", _("There is no completed answer with this id."))
    answer = Message.objects.select_related("conversation").get(id=answer_id)
    transaction.on_commit(lambda: correction_push(answer))
    return answer


def correction_push(answer: Message) -> None:
    frame = correction_frame(answer_id=answer.id, conversation_id=answer.conversation_id, text=answer.corrected_text)
    student_frame_send(student_id=answer.conversation.student_id, frame=frame)


def student_frame_send(*, student_id: int, frame: dict) -> None:
    """Send ``frame`` to every socket the student has open, on any server. Best effort: what matters is
    already in the database, and a socket that is not open gets it from ``history``."""
    group_frame_send(student_group(student_id), frame)


def answer_fail(*, answer_id: int, code: str) -> bool:
    updated = Message.objects.filter(id=answer_id, status=Message.Status.PENDING).update(
        status=Message.Status.FAILED, error_code=code[:40], completed_at=timezone.now()
    )
    return updated == 1


def api_token_issue(*, user: AbstractBaseUser) -> str:
    """Create a bearer token for ``user``; the raw value is returned once and never stored."""
    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        key_hash=ApiToken.hash_key(raw),
        expires_at=timezone.now() + timedelta(days=settings.TUTOR_TOKEN_TTL_DAYS),
    )
    return raw


def api_token_revoke(*, user: AbstractBaseUser, token_id: int) -> bool:
    """Revoke one of ``user``'s live tokens; False (nothing changed) when it is missing, another user's or already
    dead, which a caller answers alike. Compare-and-swap: a token is revoked once."""
    return api_tokens_of(user=user).filter(id=token_id).update(revoked_at=timezone.now()) == 1


def api_tokens_revoke(*, tokens: QuerySet[ApiToken]) -> int:
    """Revoke these tokens (an administrator's choice); those already revoked keep their time. Returns how many."""
    return tokens.filter(revoked_at=None).update(revoked_at=timezone.now())


def answers_fail_stale(*, older_than_s: float) -> int:
    """Fail answers still pending long after any generation could have finished (their server died).

    Compare-and-swap on status, so an answer completing at this moment is never overwritten.
    """
    cutoff = timezone.now() - timedelta(seconds=older_than_s)
    return Message.objects.filter(status=Message.Status.PENDING, created_at__lt=cutoff).update(
        status=Message.Status.FAILED, error_code="interrupted", completed_at=timezone.now()
    )
