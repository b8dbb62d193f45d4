"""Grade passback against the loopback platform's token and score endpoints: a practice activity's mastery goes
to its line item after each graded item and on the hourly refresh, through the outbox, with retries, never twice
and never older over newer."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from bench.lti.platform_services import LINEITEM_PATH, activity_launch
from learning.course_knowledge import course_knowledge, student_state
from learning.practice import practice_answer_submit, practice_item_serve
from lti import grades
from lti.grades import score_record, score_send, scores_refresh, scores_send_due
from lti.models import Identity, ResourceLink, Score

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

PRACTICE = {"tutor_target": "practice", "tutor_skill": "isolate"}
SCORES = LINEITEM_PATH + "/scores"


@pytest.fixture
def eager_celery():
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        yield


@pytest.fixture
def learner(mapped, platform, services, skills):
    """A learner who launched the practice activity on the skill "isolate", which has a line item."""
    _, landed = activity_launch(platform, services, custom=PRACTICE)
    assert landed.status_code == 302
    return Identity.objects.get(sub="user-1").user


def answer_one(user, course, django_capture_on_commit_callbacks, *, right=True):
    with django_capture_on_commit_callbacks(execute=True):
        served = practice_item_serve(student=user, course_id=course.id, mode="practice")
        value = int(served.item.answer_spec["value"]) if right else 999
        practice_answer_submit(student=user, item_id=served.item.id, response=str(value))


def mastery_score(user, course) -> float:
    mastery = course_knowledge(course=course).mastery(student_state(student=user, course=course)[0])
    return round(mastery["isolate"] * 100, 2)


def make_due() -> None:
    Score.objects.update(next_try_at=timezone.now() - timedelta(seconds=1))


def test_a_graded_item_sends_the_skills_mastery_to_the_line_item(learner, personas, services,
                                                                 django_capture_on_commit_callbacks):
    answer_one(learner, personas.course_a, django_capture_on_commit_callbacks)
    [sent] = services.scores
    assert sent["userId"] == "user-1" and sent["scoreMaximum"] == 100
    assert sent["scoreGiven"] == mastery_score(learner, personas.course_a)
    assert (sent["activityProgress"], sent["gradingProgress"]) == ("Submitted", "FullyGraded")
    score = Score.objects.get()
    assert (score.status, score.sent_version, score.version, score.tries) == ("sent", 1, 1, 0)
    assert sent["timestamp"] == score.computed_at.isoformat(timespec="milliseconds")
    assert services.token_requests == 1 and len(services.assertions_seen) == 1


@pytest.mark.parametrize("failing", ["/token", SCORES])
def test_a_send_that_fails_once_is_kept_and_sent_after_its_back_off(learner, personas, services, failing,
                                                                   django_capture_on_commit_callbacks):
    services.fail_next[failing] = 1
    answer_one(learner, personas.course_a, django_capture_on_commit_callbacks)
    score = Score.objects.get()
    assert services.scores == [] and (score.status, score.tries) == ("pending", 1)
    assert "503" in score.last_error
    assert timedelta(seconds=25) < score.next_try_at - timezone.now() <= timedelta(seconds=30)
    assert scores_send_due() == {"sent": 0, "failed": 0, "skipped": 0}  # not due yet
    make_due()
    assert scores_send_due()["sent"] == 1
    [sent] = services.scores
    assert sent["scoreGiven"] == Score.objects.get().score_given
    assert Score.objects.get().status == "sent"


def test_the_back_off_doubles_with_each_failure_up_to_its_ceiling(learner, personas, services,
                                                                  django_capture_on_commit_callbacks):
    services.fail_next["/token"] = 10
    answer_one(learner, personas.course_a, django_capture_on_commit_callbacks)
    waits = []
    with override_settings(LTI_SCORE_RETRY_MAX_S=200):
        for _ in range(4):
            make_due()
            before = timezone.now()
            assert scores_send_due()["failed"] == 1
            waits.append(round((Score.objects.get().next_try_at - before).total_seconds()))
    assert waits == [60, 120, 200, 200]
    assert Score.objects.get().tries == 5


def test_an_unchanged_mastery_is_not_sent_again(learner, personas, services, django_capture_on_commit_callbacks):
    answer_one(learner, personas.course_a, django_capture_on_commit_callbacks)
    assert scores_refresh() == 0
    make_due()
    assert scores_send_due() == {"sent": 0, "failed": 0, "skipped": 0}
    assert len(services.scores) == 1


def test_the_refresh_catches_mastery_that_changed_without_a_signal(learner, personas, services):
    served = practice_item_serve(student=learner, course_id=personas.course_a.id, mode="practice")
    practice_answer_submit(student=learner, item_id=served.item.id, response="999")  # its on_commit never runs
    assert services.scores == [] and not Score.objects.exists()
    assert scores_refresh() == 1
    assert scores_send_due()["sent"] == 1
    assert services.scores[0]["scoreGiven"] == mastery_score(learner, personas.course_a)


def test_an_older_reading_never_replaces_a_newer_one(learner):
    link = ResourceLink.objects.get()
    now = timezone.now()
    assert score_record(link=link, user=learner, value=40.0, computed_at=now) is not None
    assert score_record(link=link, user=learner, value=10.0, computed_at=now - timedelta(seconds=5)) is None
    score = Score.objects.get()
    assert (score.score_given, score.version) == (40.0, 1)


def test_a_value_written_during_a_send_stays_owed_and_goes_next(learner, services, monkeypatch):
    link = ResourceLink.objects.get()
    first = timezone.now()
    score_id = score_record(link=link, user=learner, value=40.0, computed_at=first)
    real_put = grades._put

    def put_then_newer_value(score, connectors):
        real_put(score, connectors)
        score_record(link=link, user=learner, value=55.0, computed_at=first + timedelta(seconds=1))

    monkeypatch.setattr(grades, "_put", put_then_newer_value)
    assert score_send(score_id=score_id) == "sent"
    score = Score.objects.get()
    assert (score.status, score.version, score.sent_version) == ("pending", 2, 1)
    monkeypatch.setattr(grades, "_put", real_put)
    assert score_send(score_id=score_id) == "sent"
    assert [s["scoreGiven"] for s in services.scores] == [40.0, 55.0]
    assert services.scores[0]["timestamp"] < services.scores[1]["timestamp"]
    assert Score.objects.get().status == "sent"


def test_a_score_held_by_another_sender_is_not_sent_twice(learner, services):
    score_id = score_record(link=ResourceLink.objects.get(), user=learner, value=40.0, computed_at=timezone.now())
    Score.objects.update(claimed_until=timezone.now() + timedelta(seconds=60))
    assert score_send(score_id=score_id) == "skipped"
    assert services.scores == []


def test_an_activity_without_a_line_item_or_score_scope_gets_no_score(mapped, platform, personas, skills,
                                                                      services, django_capture_on_commit_callbacks):
    activity_launch(platform, custom=PRACTICE)  # no AGS claim at all
    answer_one(Identity.objects.get().user, personas.course_a, django_capture_on_commit_callbacks)
    assert not Score.objects.exists() and services.scores == []


def test_a_tutor_activity_gets_no_score(mapped, platform, personas, skills, services,
                                        django_capture_on_commit_callbacks):
    activity_launch(platform, services, custom={"tutor_target": "tutor"})
    answer_one(Identity.objects.get().user, personas.course_a, django_capture_on_commit_callbacks)
    assert not Score.objects.exists() and services.scores == []


def test_a_token_request_signed_with_a_key_the_platform_does_not_trust_fails_and_is_retried(
        learner, personas, services, django_capture_on_commit_callbacks):
    from lti.services import tool_key_rotate

    tool_key_rotate()  # the platform still trusts the previous key only
    answer_one(learner, personas.course_a, django_capture_on_commit_callbacks)
    score = Score.objects.get()
    assert services.scores == [] and score.status == "pending" and "401" in score.last_error
