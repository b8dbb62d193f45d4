from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from annotation.models import TrainingExample
from annotation.tests.factories import answered_question
from learning.models import Attempt, PrivacyAudit
from tests.privacy_world import chat_ids, name_student1, references, student_with_everything
from tutor.models import Conversation, Message, SafeguardingAlert
from tutor.retention import conversations_expire
from tutor.tasks import conversations_expire_task

pytestmark = pytest.mark.django_db


def _age(conversations, days: float) -> None:
    then = timezone.now() - timedelta(days=days)
    Message.objects.filter(conversation__in=conversations).update(created_at=then)
    conversations.update(created_at=then)


@pytest.fixture
def old_and_new(personas):
    name_student1(personas)
    student_with_everything(personas, personas.student1, signed_in=False)
    student_with_everything(personas, personas.student2, question="What is 2/5 + 1/5?", signed_in=False)
    _age(Conversation.objects.filter(student=personas.student1), days=40)
    return personas


def test_conversations_idle_past_the_limit_go_with_what_hangs_on_them(old_and_new):
    ids, other = chat_ids(old_and_new.student1), chat_ids(old_and_new.student2)
    counts = conversations_expire(older_than_days=30)
    assert counts["deleted"]["tutor.Conversation"] == 2 and counts["deleted"]["tutor.Message"] == 4
    assert set(references(ids)) == {"learning.Attempt.student", "learning.ServedItem.student",
                                    "learning.Enrollment.user", "learning.KnowledgeState.student",
                                    "learning.StudentMisconception.student", "tutor.ApiToken.user",
                                    "tutor.ExperimentAssignment.student", "tutor.Experiment_students.user",
                                    "lti.Identity.user", "lti.Membership.user", "lti.Score.user"}
    assert chat_ids(old_and_new.student2) == other
    assert Attempt.objects.filter(student=old_and_new.student1).exists()  # retention is about chats only


def test_training_examples_of_expired_chats_are_kept_anonymised_as_on_erase(old_and_new):
    conversations_expire(older_than_days=30)
    kept = TrainingExample.objects.get(question__contains="1/2 + 1/4")
    assert kept.question == "Hi, I am [student] ([email], [phone]). What is 1/2 + 1/4?"
    assert (kept.source_message, kept.review_task, kept.teacher) == (None, None, None)
    assert TrainingExample.objects.get(question="What is 2/5 + 1/5?").source_message is not None


def test_a_long_conversation_in_use_and_one_with_an_unseen_alert_are_kept(personas):
    in_use = answered_question(student=personas.student1, course=personas.course_a).conversation
    _age(Conversation.objects.filter(pk=in_use.pk), days=40)
    answered_question(student=personas.student1, course=personas.course_a, conversation=in_use)  # today
    unseen = answered_question(student=personas.student2, course=personas.course_a)
    SafeguardingAlert.objects.create(student=personas.student2, course=personas.course_a, question=unseen.reply_to,
                                     kind="bullying", signal="phrase: bullied", text=unseen.reply_to.text)
    _age(Conversation.objects.filter(pk=unseen.conversation_id), days=40)
    empty = Conversation.objects.create(student=personas.student3, course=personas.course_b)
    _age(Conversation.objects.filter(pk=empty.pk), days=40)
    assert conversations_expire(older_than_days=30)["deleted"] == {"tutor.Conversation": 1}
    assert set(Conversation.objects.values_list("pk", flat=True)) == {in_use.pk, unseen.conversation_id}


def test_each_batch_is_its_own_transaction_with_its_own_audit(old_and_new):
    conversations_expire(older_than_days=30, batch=1)
    audits = PrivacyAudit.objects.filter(action="retention")
    assert [audit.counts["deleted"]["tutor.Conversation"] for audit in audits] == [1, 1]
    assert {audit.channel for audit in audits} == {"retention_job"}


def test_the_beat_job_does_nothing_while_retention_is_off(old_and_new, settings):
    settings.TUTOR_RETENTION_DAYS = None
    assert conversations_expire_task() == {}
    assert Conversation.objects.count() == 4
    settings.TUTOR_RETENTION_DAYS = 30
    assert conversations_expire_task()["deleted"]["tutor.Conversation"] == 2


def test_the_job_is_on_the_beat_schedule():
    assert settings.CELERY_BEAT_SCHEDULE["expire-conversations"]["task"] == conversations_expire_task.name
