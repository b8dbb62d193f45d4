"""Safeguarding alerts: a risk question is stored with its alert and answered with the help text, not by the
engine; the course's teachers and safeguarding contacts are emailed, with retries; staff see only their
courses' alerts."""
import pytest
from channels.db import database_sync_to_async
from django.core import mail
from django.test import Client, override_settings
from django.utils import translation

from learning.models import Course, Enrollment
from tutor import alerts
from tutor.models import Message, SafeguardingAlert
from tutor.services import question_ask
from tutor.tasks import safeguarding_alert_notify_task
from tutor.tests.wsclient import ask_and_wait, ask_frame, connect_as

RISK = "the kids in my class bully me every day and i'm scared"


def _emails(personas) -> None:
    for name in ("teacher1", "teacher2"):
        user = getattr(personas, name)
        user.email = f"{name}@school.example"
        user.save()


def _contact(personas, course):
    from django.contrib.auth import get_user_model

    contact = get_user_model().objects.create_user("welfare", email="welfare@school.example", is_staff=True)
    Enrollment.objects.create(user=contact, course=course, role=Enrollment.Role.SAFEGUARDING)
    return contact


def _ask(personas, text=RISK, course=None):
    import uuid

    return question_ask(student=personas.student1, course_id=(course or personas.course_a).id, conversation_id=None,
                        text=text, client_msg_id=uuid.uuid4())


@pytest.mark.django_db(transaction=True)
async def test_a_risk_question_stores_an_alert_and_gets_the_help_text_not_a_tutor_answer(personas, fake_engine):
    await database_sync_to_async(Course.objects.filter(id=personas.course_a.id).update)(
        safeguarding_help_text="Talk to Ms Rivera in room 12, or call 0800 000.")
    socket = await connect_as(personas.student1)
    frames = await ask_and_wait(socket, ask_frame(personas.course_a.id, RISK))
    await socket.disconnect()
    assert [f["type"] for f in frames] == ["ack", "token", "answer"]
    answer = frames[-1]
    assert (answer["text"], answer["safeguarding"], answer["abstained"]) == (
        "Talk to Ms Rivera in room 12, or call 0800 000.", True, False)
    assert fake_engine.requests == []  # nothing was generated
    alert = await database_sync_to_async(SafeguardingAlert.objects.get)()
    assert (alert.kind, alert.text, alert.question_id, alert.course_id, alert.student_id) == (
        "bullying", RISK, frames[0]["question_id"], personas.course_a.id, personas.student1.id)
    stored = await database_sync_to_async(Message.objects.get)(id=answer["message_id"])
    assert (stored.status, stored.context) == ("complete", {"safeguarding": "bullying"})


@pytest.mark.django_db(transaction=True)
async def test_history_marks_the_help_text_as_a_safeguarding_answer(personas, fake_engine):
    socket = await connect_as(personas.student1)
    frames = await ask_and_wait(socket, ask_frame(personas.course_a.id, RISK))
    await socket.send_json_to({"type": "history", "conversation": frames[0]["conversation"]})
    shown = (await socket.receive_json_from())["messages"]
    await socket.disconnect()
    assert [m["safeguarding"] for m in shown] == [False, True]


@pytest.mark.django_db(transaction=True)
async def test_an_ordinary_question_raises_no_alert(personas, fake_engine):
    socket = await connect_as(personas.student1)
    frames = await ask_and_wait(socket, ask_frame(personas.course_a.id, "this homework is killing me, what is 2x = 4?"))
    await socket.disconnect()
    assert frames[-1]["safeguarding"] is False and fake_engine.requests
    assert not await database_sync_to_async(SafeguardingAlert.objects.exists)()


@pytest.mark.django_db(transaction=True)
@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
def test_the_courses_teachers_and_safeguarding_contact_are_emailed_after_commit(personas):
    _emails(personas)
    _contact(personas, personas.course_a)
    _ask(personas)
    alert = SafeguardingAlert.objects.get()
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["teacher1@school.example", "welfare@school.example"]
    assert "Bullying" in mail.outbox[0].subject and RISK not in mail.outbox[0].body  # the words stay in admin
    assert (alert.notify_attempts, alert.notified_to, alert.last_error) == (
        1, "teacher1@school.example, welfare@school.example", "")
    assert alert.notified_at is not None


@pytest.mark.django_db(transaction=True)
@override_settings(CELERY_TASK_ALWAYS_EAGER=True, LANGUAGE_CODE="sv")
def test_the_email_is_written_in_the_schools_language_whatever_the_students(personas):
    _emails(personas)
    with translation.override("en"):  # the student's request, in English
        _ask(personas)
    email = mail.outbox[0]
    assert email.subject == f"Skyddslarm (Mobbning) i {personas.course_a.title}"
    assert "kan tyda på mobbning" in email.body and "Läs det och kvittera det på larmsidan" in email.body


@pytest.mark.django_db
def test_the_alert_is_stored_even_when_the_notification_cannot_be_queued(personas, monkeypatch,
                                                                         django_capture_on_commit_callbacks):
    def broker_down(*args):
        raise ConnectionError("broker down")

    monkeypatch.setattr(alerts, "task_enqueue", broker_down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = _ask(personas)
    assert len(callbacks) == 1
    assert result.safeguarding and SafeguardingAlert.objects.get().notified_at is None


@pytest.mark.django_db
@override_settings(CELERY_TASK_ALWAYS_EAGER=True, TUTOR_SAFEGUARDING_NOTIFY_RETRIES=3)
def test_a_failing_send_is_retried_and_recorded(personas, monkeypatch):
    _emails(personas)
    alert = SafeguardingAlert.objects.create(student=personas.student1, course=personas.course_a,
                                             question=_ask(personas, "what is 2x = 4?").question, kind="threat",
                                             signal="phrase: test", text="test")
    real_send, calls = alerts.send_mail, []

    def flaky(*args, **kwargs):
        calls.append(args)
        if len(calls) < 3:
            raise ConnectionRefusedError("mail server down")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(alerts, "send_mail", flaky)
    safeguarding_alert_notify_task.apply(args=[alert.id])
    alert.refresh_from_db()
    assert (len(calls), alert.notify_attempts, len(mail.outbox), alert.last_error) == (3, 3, 1, "")
    assert alert.notified_at is not None


@pytest.mark.django_db
@override_settings(CELERY_TASK_ALWAYS_EAGER=True, TUTOR_SAFEGUARDING_NOTIFY_RETRIES=1)
def test_a_send_that_keeps_failing_leaves_the_alert_for_the_resend_sweep(personas, monkeypatch):
    question = _ask(personas, "what is 2x = 4?").question
    alert = SafeguardingAlert.objects.create(student=personas.student1, course=personas.course_a, question=question,
                                             kind="threat", signal="phrase: test", text="test")
    result = safeguarding_alert_notify_task.apply(args=[alert.id])  # nobody of the course has an email address
    alert.refresh_from_db()
    assert result.failed() and alert.notified_at is None and alert.notify_attempts == 2
    assert "no teacher or safeguarding contact" in alert.last_error
    queued = []
    monkeypatch.setattr(alerts, "task_enqueue", lambda name, *args: queued.append((name, *args)))
    assert alerts.safeguarding_alerts_resend(older_than_s=0) == 1 and queued == [(alerts.NOTIFY_TASK, alert.id)]


@pytest.mark.django_db
def test_a_notified_alert_is_not_sent_twice(personas):
    _emails(personas)
    alert = _ask(personas).question.safeguarding_alert
    assert alerts.safeguarding_alert_notify(alert_id=alert.id) is True
    assert alerts.safeguarding_alert_notify(alert_id=alert.id) is False and len(mail.outbox) == 1


# --- who sees an alert ----------------------------------------------------------------------------------


def _admin(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_another_courses_teacher_cannot_see_the_alert(personas):
    alert = _ask(personas).question.safeguarding_alert
    client = _admin(personas.teacher2)
    assert RISK[:40] not in client.get("/admin/tutor/safeguardingalert/").content.decode()
    other = client.get(f"/admin/tutor/safeguardingalert/{alert.id}/change/")
    missing = client.get("/admin/tutor/safeguardingalert/999999/change/")
    assert (other.status_code, other["Location"]) == (missing.status_code, missing["Location"])
    assert RISK[:40] in _admin(personas.teacher1).get("/admin/tutor/safeguardingalert/").content.decode()


@pytest.mark.django_db
def test_the_courses_safeguarding_contact_sees_and_acknowledges_the_alert(personas):
    alert = _ask(personas).question.safeguarding_alert
    contact = _contact(personas, personas.course_a)
    client = _admin(contact)
    assert client.get(f"/admin/tutor/safeguardingalert/{alert.id}/change/").status_code == 200
    client.post("/admin/tutor/safeguardingalert/", {"action": "acknowledge", "_selected_action": [alert.id]})
    alert.refresh_from_db()
    assert alert.acknowledged_by == contact and alert.acknowledged_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["student1", "teacher2", "author1"])
def test_nobody_else_acknowledges_the_alert(personas, persona):
    alert = _ask(personas).question.safeguarding_alert
    _admin(getattr(personas, persona)).post("/admin/tutor/safeguardingalert/",
                                            {"action": "acknowledge", "_selected_action": [alert.id]})
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
