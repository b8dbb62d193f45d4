"""Students as a busy term leaves them, written in bulk: conversations of question and answer pairs with router
scores, a tenth of the answers flagged for review (half of those corrected into training examples), practice
attempts, a knowledge state, an API token and a signed-in session."""
from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from annotation.models import AnswerScore, ReviewEvent, ReviewTask, TrainingExample
from learning.models import Attempt, Course, Enrollment, Item, KnowledgeState, ServedItem
from tutor.models import ApiToken, Conversation, Message

PAIRS_PER_CONVERSATION = 25
FLAG_EVERY = 10  # answers
ATTEMPTS = 50


def course_seed() -> tuple[Course, list[Item]]:
    course = Course.objects.create(slug="bench-privacy", title="Privacy bench")
    items = Item.objects.bulk_create(Item(course=course, key=f"item-{n}", prompt=f"{n} + {n}?",
                                          answer_spec={"kind": "numeric", "value": 2 * n}) for n in range(20))
    return course, items


def student_seed(*, course: Course, items: list[Item], username: str, messages: int):
    """A student with ``messages`` chat messages (half questions, half answers) and everything around them."""
    student = get_user_model().objects.create_user(username=username, first_name="Bench", last_name=username)
    Enrollment.objects.create(user=student, course=course, role=Enrollment.Role.STUDENT)
    answers = _chat_seed(student, course, messages // 2)
    _review_seed(student, course, answers)
    _practice_seed(student, course, items)
    ApiToken.objects.create(user=student, key_hash=ApiToken.hash_key(username), expires_at=timezone.now()
                            + timedelta(days=30))
    store = SessionStore()
    Session.objects.create(session_key=f"bench-{username}"[:40].ljust(32, "0"),
                           session_data=store.encode({"_auth_user_id": str(student.pk)}),
                           expire_date=timezone.now() + timedelta(days=1))
    return student


def _chat_seed(student, course: Course, pairs: int) -> list[Message]:
    conversations = Conversation.objects.bulk_create(
        Conversation(student=student, course=course, title=f"chat {n}")
        for n in range(-(-pairs // PAIRS_PER_CONVERSATION)))
    questions = Message.objects.bulk_create(
        Message(conversation=conversations[n // PAIRS_PER_CONVERSATION], role=Message.Role.STUDENT, sender=student,
                text=f"I am {student.first_name}: what is {n} + {n}?") for n in range(pairs))
    return Message.objects.bulk_create(
        Message(conversation=q.conversation, role=Message.Role.TUTOR, reply_to=q, text=f"It is {2 * n}.",
                confidence=0.6, features={"mean_logprob": -0.5, "n_tokens": 5}, context={"passages": []},
                model_name="bench") for n, q in enumerate(questions))


def _review_seed(student, course: Course, answers: list[Message]) -> None:
    AnswerScore.objects.bulk_create(AnswerScore(message=a, course=course, student=student, p_correct=0.6,
                                                features={"n_tokens": 5}, question_key=f"q{a.pk}") for a in answers)
    flagged = answers[::FLAG_EVERY]
    tasks = ReviewTask.objects.bulk_create(
        ReviewTask(answer=a, course=course, reason="low_confidence", p_correct=0.2, priority=1.0,
                   question_key=f"q{a.pk}", status=ReviewTask.Status.CORRECTED if n % 2 else ReviewTask.Status.OPEN)
        for n, a in enumerate(flagged))
    ReviewEvent.objects.bulk_create(ReviewEvent(task=t, action=ReviewEvent.Action.FLAGGED) for t in tasks)
    TrainingExample.objects.bulk_create(
        TrainingExample(course=course, kind=TrainingExample.Kind.CORRECTION, question=f"{student.first_name} asks",
                        earlier_turns=[["student", "hello"]], answer="It is 4.", original_answer=t.answer.text,
                        source_message=t.answer, review_task=t) for t in tasks if t.status == ReviewTask.Status.CORRECTED)


def _practice_seed(student, course: Course, items: list[Item]) -> None:
    servings = ServedItem.objects.bulk_create(
        ServedItem(student=student, item=items[n % len(items)], mode=ServedItem.Mode.PRACTICE,
                   answered_at=timezone.now()) for n in range(ATTEMPTS))
    Attempt.objects.bulk_create(Attempt(student=student, item=s.item, serving=s, response="4", correct=n % 2 == 0)
                                for n, s in enumerate(servings))
    KnowledgeState.objects.create(student=student, course=course, state={})
