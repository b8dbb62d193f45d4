"""Tutor's section of a student's data (learning.privacy): conversations with every message, safeguarding
alerts about the student, the experiments that cover them and the arms they got, and their API tokens (when
issued, expiring and revoked: never the key or its hash). Registered in ``TutorConfig.ready``.

An unacknowledged safeguarding alert stops an erase: nobody has seen it yet, and erasing it would destroy the
only record of a child at risk. Retention skips its conversation for the same reason.
"""
from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from pydantic import JsonValue

from learning.privacy.registry import Conversations, Part, PrivacySection, Student, Tally
from learning.privacy.services import conversations_forget
from tutor.models import ApiToken, Conversation, Experiment, ExperimentAssignment, Message, SafeguardingAlert

TUTOR_LEVEL = 1


class MessagePart(Part):
    id: int
    role: str
    text: str
    status: str
    error_code: str
    confidence: float | None
    features: JsonValue
    context: JsonValue
    sources: JsonValue
    corrected_text: str
    corrected_at: datetime | None
    model_name: str
    prompt_tokens: int | None
    client_msg_id: str | None
    reply_to: int | None
    created_at: datetime
    completed_at: datetime | None


class ConversationPart(Part):
    id: int
    course: str
    title: str
    created_at: datetime
    messages: list[MessagePart]


class AlertPart(Part):
    id: int
    course: str
    question: int  # the message that raised it
    kind: str
    signal: str
    text: str
    created_at: datetime
    notified_at: datetime | None
    acknowledged_at: datetime | None


class AssignmentPart(Part):
    experiment: str
    course: str
    factor: str
    arm: str
    assigned_at: datetime


class ApiTokenPart(Part):
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class TutorPart(Part):
    conversations: list[ConversationPart]
    safeguarding_alerts: list[AlertPart]
    experiments_covering: list[str]  # experiments a teacher chose the student for by name
    experiment_assignments: list[AssignmentPart]
    api_tokens: list[ApiTokenPart]


def tutor_export(student: Student) -> TutorPart:
    conversations = (Conversation.objects.filter(student=student).select_related("course")
                     .prefetch_related("messages").order_by("id"))
    alerts = SafeguardingAlert.objects.filter(student=student).select_related("course").order_by("id")
    assignments = (ExperimentAssignment.objects.filter(student=student)
                   .select_related("experiment__course", "arm").order_by("id"))
    return TutorPart(
        conversations=[_conversation(c) for c in conversations],
        safeguarding_alerts=[_alert(a) for a in alerts],
        experiments_covering=list(Experiment.objects.filter(students=student).order_by("id")
                                  .values_list("name", flat=True)),
        experiment_assignments=[
            AssignmentPart(experiment=a.experiment.name, course=a.experiment.course.slug, factor=a.experiment.factor,
                           arm=a.arm.name, assigned_at=a.assigned_at) for a in assignments],
        api_tokens=[ApiTokenPart(created_at=t.created_at, expires_at=t.expires_at, revoked_at=t.revoked_at)
                    for t in ApiToken.objects.filter(user=student).order_by("id")],
    )


def _conversation(conversation: Conversation) -> ConversationPart:
    return ConversationPart(id=conversation.pk, course=conversation.course.slug, title=conversation.title,
                            created_at=conversation.created_at,
                            messages=[_message(m) for m in conversation.messages.all()])


def _message(m: Message) -> MessagePart:
    return MessagePart(
        id=m.pk, role=m.role, text=m.text, status=m.status, error_code=m.error_code, confidence=m.confidence,
        features=m.features, context=m.context, sources=m.sources, corrected_text=m.corrected_text,
        corrected_at=m.corrected_at, model_name=m.model_name, prompt_tokens=m.prompt_tokens,
        client_msg_id=str(m.client_msg_id) if m.client_msg_id else None, reply_to=m.reply_to_id,
        created_at=m.created_at, completed_at=m.completed_at)


def _alert(a: SafeguardingAlert) -> AlertPart:
    return AlertPart(id=a.pk, course=a.course.slug, question=a.question_id, kind=a.kind, signal=a.signal,
                     text=a.text, created_at=a.created_at, notified_at=a.notified_at,
                     acknowledged_at=a.acknowledged_at)


def tutor_erase(student: Student, tally: Tally) -> None:
    conversations_forget(conversations=Conversation.objects.filter(student=student), tally=tally)
    tally.delete(Message.objects.filter(sender=student))  # none outside their conversations, unless a future path
    tally.delete(SafeguardingAlert.objects.filter(student=student))
    tally.delete(ExperimentAssignment.objects.filter(student=student))
    tally.delete(Experiment.students.through.objects.filter(user=student))
    tally.delete(ApiToken.objects.filter(user=student))


def tutor_forget_conversations(conversations: Conversations, tally: Tally) -> None:
    tally.delete(SafeguardingAlert.objects.filter(question__conversation__in=conversations))
    tally.delete(Message.objects.filter(conversation__in=conversations))
    tally.delete(conversations)


def unacknowledged_alerts() -> QuerySet[SafeguardingAlert]:
    return SafeguardingAlert.objects.filter(acknowledged_at__isnull=True)


def tutor_erase_refusal(student: Student) -> str:
    waiting = unacknowledged_alerts().filter(student=student).count()
    if not waiting:
        return ""
    return (f"{waiting} safeguarding alert(s) about {student.get_username()} have not been acknowledged; someone "
            "responsible must see and acknowledge them in the admin (Safeguarding alerts) before the data is erased")


TUTOR_SECTION = PrivacySection(key="tutor", level=TUTOR_LEVEL, part=TutorPart, export=tutor_export,
                               erase=tutor_erase, forget_conversations=tutor_forget_conversations,
                               erase_refusal=tutor_erase_refusal)
