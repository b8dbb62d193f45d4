"""A student with a row of every kind the project holds about one, written through the services where one
exists, and the generic walk that finds every row still pointing at a student or their chat."""
from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.test import Client
from django.utils import timezone

from annotation.models import AnswerScore, GoldenCase, TrainingRun
from annotation.services import review_approve, review_correct
from annotation.tests.review_factories import flagged_task
from learning.models import StudentMisconception
from learning.practice import practice_answer_submit, practice_item_serve
from learning.tests.factories import practice_content
from lti.models import Context, Identity, Membership, Platform, ResourceLink, Score
from tutor.models import Conversation, Experiment, ExperimentArm, ExperimentAssignment, Message, SafeguardingAlert
from tutor.services import api_token_issue

# What identifies student1 in text: the test checks none of it survives an erase anywhere in the database.
FIRST, LAST, EMAIL = "Zelda", "Quist", "zelda.quist@school.example"
NAMED_QUESTION = f"Hi, I am {FIRST} {LAST} ({EMAIL}, +46 70 123 45 67). What is 1/2 + 1/4?"


@dataclass(frozen=True)
class ChatIds:
    user: int
    conversations: frozenset[int]
    messages: frozenset[int]


def chat_ids(student) -> ChatIds:
    return ChatIds(student.pk, frozenset(Conversation.objects.filter(student=student).values_list("pk", flat=True)),
                   frozenset(Message.objects.filter(conversation__student=student).values_list("pk", flat=True)))


def student_with_everything(personas, student, *, question: str = NAMED_QUESTION, signed_in: bool = True) -> None:
    """Practice with a wrong answer (an attempt, a serving, a misconception, a knowledge state); a corrected and an
    approved answer (review tasks with events, training examples, a router score, a golden case and a training
    run's report quoting the question); an acknowledged safeguarding alert; an experiment covering them with an
    arm; an API token; an LTI link to a platform account, a membership there and a score owed to it; a
    signed-in session."""
    course, name = personas.course_a, student.first_name or student.get_username()
    if not course.items.exists():
        practice_content(course)
    served = practice_item_serve(student=student, course_id=course.pk, mode="practice")
    practice_answer_submit(student=student, item_id=served.item.pk, response="999")
    StudentMisconception.objects.create(student=student, course=course, key="add-denominators",
                                        text="Added the denominators.", last_seen_at=timezone.now())
    corrected = flagged_task(course=course, student=student, question=question, answer=f"Well {name}, it is 2/6.")
    review_correct(task_id=corrected.pk, teacher=personas.teacher1, text=f"{name}, it is 3/4.",
                   rewordings=[f"{name} asks: 1/2 + 1/4?"])
    approved = flagged_task(course=course, student=student, question="What is 1/3 + 1/3?", answer="It is 2/3.")
    review_approve(task_id=approved.pk, teacher=personas.teacher1)
    AnswerScore.objects.create(message=approved.answer, course=course, student=student, p_correct=0.9,
                               features={"n_tokens": 3}, question_key="1/3 + 1/3")
    example = corrected.training_example
    GoldenCase.objects.create(course=course, source=GoldenCase.Source.APPROVED, question=example.question,
                              gold=["3/4"], gold_check="contains", example=example)
    TrainingRun.objects.create(course=course, trigger=TrainingRun.Trigger.ADMIN, status=TrainingRun.Status.REJECTED,
                               report={"cases": [{"kind": "corrected", "ref": f"example:{example.pk}",
                                                  "question": example.question[:500],
                                                  "before": {"answer": f"Well {name}, it is 2/6."}}],
                                       "changed": [{"question": "An unrelated question on 2/3?"}]})
    SafeguardingAlert.objects.create(student=student, course=course, question=approved.answer.reply_to,
                                     kind="bullying", signal="phrase: bullied", text=approved.answer.reply_to.text,
                                     acknowledged_at=timezone.now(), acknowledged_by=personas.teacher1)
    experiment, _ = Experiment.objects.get_or_create(name="hints or explain", course=course, factor="answer_style")
    arm, _ = ExperimentArm.objects.get_or_create(experiment=experiment, name="hints", setting="hints")
    experiment.students.add(student)
    ExperimentAssignment.objects.create(experiment=experiment, student=student, arm=arm)
    api_token_issue(user=student)
    Identity.objects.create(issuer="https://lms.example.edu", sub=f"lms-user-{student.pk}", user=student)
    _lti_membership_and_score(student, course)
    if signed_in:
        Client().force_login(student)


def _lti_membership_and_score(student, course) -> None:
    """The platform lists the student in its course, and their score on a practice activity is owed to it."""
    platform, _ = Platform.objects.get_or_create(
        issuer="https://lms.example.edu", client_id="tutor",
        defaults={"name": "School LMS", "auth_login_url": "https://lms.example.edu/auth",
                  "auth_token_url": "https://lms.example.edu/token", "jwks_url": "https://lms.example.edu/jwks"})
    context, _ = Context.objects.get_or_create(platform=platform, context_id="course-1", defaults={"course": course})
    link, _ = ResourceLink.objects.get_or_create(context=context, resource_link_id="practice-1",
                                                 defaults={"target": "practice"})
    Membership.objects.create(context=context, user=student, role="learner")
    Score.objects.create(resource_link=link, user=student, score_given=40.0, score_maximum=100.0,
                         computed_at=timezone.now(), next_try_at=timezone.now())


def name_student1(personas) -> None:
    get_user_model().objects.filter(pk=personas.student1.pk).update(first_name=FIRST, last_name=LAST, email=EMAIL)
    personas.student1.refresh_from_db()


def references(ids: ChatIds, *, skip_apps: tuple[str, ...] = ()) -> dict[str, int]:
    """Every foreign key or one-to-one in the project (through tables of many-to-many fields included) that
    points at the student, one of their conversations or one of their messages: "app.Model.field": rows."""
    targets = {get_user_model(): {ids.user}, Conversation: ids.conversations, Message: ids.messages}
    found = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in skip_apps:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model in targets:
                count = model._base_manager.filter(**{f"{field.attname}__in": targets[field.related_model]}).count()
                if count:
                    found[f"{model._meta.label}.{field.name}"] = count
    return found


def stored_text() -> str:
    """Every text and JSON value in every table, as one string."""
    kinds = (models.CharField, models.TextField, models.JSONField)
    chunks = []
    for model in apps.get_models(include_auto_created=True):
        names = [f.attname for f in model._meta.concrete_fields if isinstance(f, kinds)]
        if names:
            chunks += [repr(row) for row in model._base_manager.values_list(*names)]
    return "\n".join(chunks)
