from __future__ import annotations

from datetime import timedelta
from typing import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from learning.models import Course, Enrollment
from tutor.models import ApiToken, AskResult, Conversation, Draft, Message, SafeguardingAlert
from tutor.school_day import day_start

SAFEGUARDING_ROLES = (Enrollment.Role.TEACHER, Enrollment.Role.SAFEGUARDING)


def courses_for_safeguarding(*, user) -> QuerySet[Course]:
    """The courses whose alerts ``user`` receives: those they teach or are a safeguarding contact of (every
    course for a superuser); none for an inactive or non-staff user."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return Course.objects.none()
    if user.is_superuser:
        return Course.objects.all()
    return Course.objects.filter(enrollments__user=user, enrollments__role__in=SAFEGUARDING_ROLES).distinct()


def safeguarding_alerts_for_staff(*, user) -> QuerySet[SafeguardingAlert]:
    """The alerts of ``user``'s courses (``courses_for_safeguarding``), filtered inside the query: another
    course's alert is as absent as a missing one."""
    return SafeguardingAlert.objects.filter(course__in=courses_for_safeguarding(user=user)).select_related(
        "course", "student", "acknowledged_by")


def conversation_get_for_student(*, student: AbstractBaseUser, conversation_id: int) -> Conversation | None:
    """The conversation if it is ``student``'s and they are still enrolled in its course, else None."""
    return (
        Conversation.objects.filter(
            id=conversation_id,
            student=student,
            course__enrollments__user=student,
            course__enrollments__role="student",
        )
        .select_related("course")
        .first()
    )


def conversations_for_student(*, student: AbstractBaseUser, course_id: int) -> QuerySet[Conversation]:
    """The student's conversations in the course, the most recently active first. Each has ``number`` (1 for the
    first one they started in the course: two with the same first question still differ) and
    ``last_activity_at`` (when its latest message was written)."""
    latest = Message.objects.filter(conversation=OuterRef("pk")).order_by("-id").values("created_at")[:1]
    return (
        Conversation.objects.filter(student=student, course_id=course_id)
        .annotate(last_activity_at=Coalesce(Subquery(latest), F("created_at")),
                  number=Window(RowNumber(), order_by=[F("created_at").asc(), F("id").asc()]))
        .order_by("-last_activity_at", "-id")
    )


def messages_after(*, conversation: Conversation, after_id: int | None, limit: int) -> list[Message]:
    messages = conversation.messages.select_related("draft")  # a draft shows as its status says (tutor.drafts)
    if after_id is not None:
        messages = messages.filter(id__gt=after_id)
    return list(messages.order_by("id")[:limit])


def message_by_client_id(*, sender: AbstractBaseUser, client_msg_id) -> Message | None:
    return Message.objects.filter(sender=sender, client_msg_id=client_msg_id).select_related("conversation__course", "answer").first()


def asks_in_window(*, student: AbstractBaseUser, seconds: int) -> int:
    since = timezone.now() - timedelta(seconds=seconds)
    return Message.objects.filter(sender=student, role=Message.Role.STUDENT, created_at__gte=since).count()


def questions_today(*, student: AbstractBaseUser, course_id: int) -> int:
    """The questions ``student`` asked in the course since the school's day began."""
    return Message.objects.filter(sender=student, role=Message.Role.STUDENT, conversation__course_id=course_id,
                                  created_at__gte=day_start()).count()


def prior_turns(*, answer: Message, limit: int) -> list[tuple[str, str]]:
    """(role, text) of the completed messages before ``answer``'s question, oldest first, at most ``limit``;
    a teacher's correction stands in for the answer it corrects; a draft still held for the teacher is left out."""
    earlier = Message.objects.filter(
        conversation_id=answer.conversation_id, id__lt=answer.reply_to_id, status=Message.Status.COMPLETE
    ).exclude(draft__status=Draft.Status.HELD)  # the student never read it, so the tutor does not build on it
    turns = earlier.order_by("-id").values_list("role", "text", "corrected_text")[:limit]
    return [(role, corrected or text) for role, text, corrected in reversed(turns)]


def conversation_exists_for(*, student: AbstractBaseUser, course_id: int, conversation_id: int) -> bool:
    """For a student already known to be enrolled in the course: is this conversation theirs, in that course?"""
    return Conversation.objects.filter(id=conversation_id, student=student, course_id=course_id).exists()


def api_tokens_live() -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(revoked_at=None, expires_at__gt=timezone.now(), user__is_active=True)


def api_token_live(*, raw_token: str) -> ApiToken | None:
    """The token with this raw value, with its user, while it is neither revoked nor expired and its user active."""
    return api_tokens_live().filter(key_hash=ApiToken.hash_key(raw_token)).select_related("user").first()


def api_token_with_user(*, token_id: int) -> ApiToken | None:
    """Whatever its state (revoked, expired): for checking a socket's token again."""
    return ApiToken.objects.filter(id=token_id).select_related("user").first()


def api_tokens_of(*, user: AbstractBaseUser) -> QuerySet[ApiToken]:
    """``user``'s tokens that still work, newest first."""
    return api_tokens_live().filter(user=user).order_by("-created_at", "-id")


def pending_asks(*, answer_ids: Sequence[int]) -> dict[int, AskResult]:
    """The asks behind those of ``answer_ids`` still pending (for the inference worker, a batch in one query),
    by answer id; an answer no longer pending (answered, failed) is left out."""
    earlier = Message.objects.filter(conversation_id=OuterRef("conversation_id"), id__lt=OuterRef("reply_to_id"))
    answers = (Message.objects.filter(id__in=answer_ids, role=Message.Role.TUTOR, status=Message.Status.PENDING,
                                      reply_to__isnull=False)
               .select_related("reply_to", "conversation__course", "conversation__student")
               .annotate(has_earlier=Exists(earlier)))
    return {answer.id: AskResult(conversation=answer.conversation, question=answer.reply_to, answer=answer,
                                 created=True, new_conversation=not answer.has_earlier) for answer in answers}
