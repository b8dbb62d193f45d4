"""Grade passback (Assignment and Grade Services): a practice activity's mastery, sent to its line item.

The outbox is ``lti.models.Score``, one row per user and practice activity, and no grade is sent that was not
written there first:

- ``practice_scores_record`` reads the student's mastery of each practice activity's skill from the knowledge
  model and writes it as a score out of 100. A reading older than the row's never replaces it, and an unchanged
  value writes nothing, so nothing is sent twice. It runs after each graded practice item (learning's
  ``practice_graded`` signal) and hourly for everyone (``scores_refresh``: calibration moves mastery too, and it
  catches any answer whose signal was lost).
- ``score_send`` claims the row (compare-and-swap on ``claimed_until``, so one send per row at a time and an older
  value can never overtake a newer one), sends the value it read with that reading's time as the score's
  ``timestamp`` (a platform keeps the newest timestamp, per the AGS spec), and marks that version sent. A value
  written meanwhile stays owed and goes next. A failure of the token endpoint, the score endpoint or the network
  is recorded, and the row is tried again after a doubling back-off (``LTI_SCORE_RETRY_BASE_S`` up to
  ``LTI_SCORE_RETRY_MAX_S``) by ``scores_send_due``, which Celery beat runs every minute. Rows are never given up.

Sending uses pylti1p3's ``AssignmentsGradesService.put_grade`` with a ``Grade`` (media type
``application/vnd.ims.lis.v1.score+json``) over ``lti.platform_client``'s connector: neither needs a request.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade

from learning.course_knowledge import course_knowledge, student_state
from learning.models import Course, Enrollment
from lti.claims import SCORE_SCOPE
from lti.deep_linking import SCORE_MAXIMUM
from lti.models import Identity, ResourceLink, Score
from lti.platform_client import PlatformConnector, PlatformServiceError, platform_connector

logger = logging.getLogger(__name__)
SEND_BATCH = 500


def practice_links(*, course_id: int) -> list[ResourceLink]:
    """The course's practice activities a score can be sent for: a skill, a line item, the score scope."""
    links = (ResourceLink.objects.filter(context__course_id=course_id, context__platform__is_active=True,
                                         target=ResourceLink.Target.PRACTICE, skill__isnull=False)
             .exclude(lineitem_url="").select_related("skill", "context__platform"))
    return [link for link in links if SCORE_SCOPE in link.ags_scopes]


def practice_scores_record(*, student, course_id: int) -> list[int]:
    """Writes the student's current score on each practice activity of the course whose platform knows them;
    returns the ids of the rows whose value changed (now owed to the platform)."""
    links = practice_links(course_id=course_id)
    identity = Identity.objects.filter(user=student).first() if links else None
    links = [link for link in links if identity is not None and link.context.platform.issuer == identity.issuer]
    if not links:
        return []
    course = Course.objects.get(pk=course_id)
    mastery = course_knowledge(course=course).mastery(student_state(student=student, course=course)[0])
    read_at = timezone.now()
    changed = (score_record(link=link, user=student, value=round(mastery[link.skill.key] * SCORE_MAXIMUM, 2),
                            computed_at=read_at) for link in links if link.skill.key in mastery)
    return [score_id for score_id in changed if score_id is not None]


def score_record(*, link: ResourceLink, user, value: float, computed_at: datetime) -> int | None:
    """The row's id when ``value`` is new, None when the row holds it already or holds a newer reading. A row in
    back-off keeps its next try: a new value does not make a failing platform be called more often."""
    rows = Score.objects.filter(resource_link=link, user=user)
    if rows.filter(computed_at__lt=computed_at).exclude(score_given=value).update(
            score_given=value, computed_at=computed_at, version=F("version") + 1, status=Score.Status.PENDING):
        return rows.values_list("pk", flat=True).get()
    if rows.exists():
        return None
    try:
        with transaction.atomic():
            return Score.objects.create(resource_link=link, user=user, score_given=value, score_maximum=SCORE_MAXIMUM,
                                        computed_at=computed_at, next_try_at=computed_at).pk
    except IntegrityError:  # another reading created it first: apply this one on top, by the same rule
        return score_record(link=link, user=user, value=value, computed_at=computed_at)


def scores_owed():
    return Score.objects.filter(version__gt=F("sent_version"))


def score_send(*, score_id: int, connectors: dict[int, PlatformConnector] | None = None) -> str:
    """Sends the row's value if it is owed, due and not held by another sender: "sent", "failed" (tried again
    later) or "skipped". ``connectors`` (by platform) lets a batch reuse each platform's access token."""
    now = timezone.now()
    free = Q(claimed_until=None) | Q(claimed_until__lt=now)
    claimed = scores_owed().filter(free, pk=score_id, next_try_at__lte=now).update(
        claimed_until=now + timedelta(seconds=settings.LTI_SCORE_CLAIM_S))
    if not claimed:
        return "skipped"
    score = Score.objects.select_related("resource_link__context__platform", "user__lti_identity").get(pk=score_id)
    try:
        _put(score, connectors if connectors is not None else {})
    except (PlatformServiceError, LtiException) as exc:
        _failed(score, str(exc))
        return "failed"
    _sent(score)
    return "sent"


def _put(score: Score, connectors: dict[int, PlatformConnector]) -> None:
    link, platform = score.resource_link, score.resource_link.context.platform
    identity = getattr(score.user, "lti_identity", None)
    if identity is None or identity.issuer != platform.issuer:
        raise PlatformServiceError(f"{score.user} has no account at {platform.issuer}")
    if platform.pk not in connectors:
        connectors[platform.pk] = platform_connector(platform)
    grade = (Grade().set_score_given(score.score_given).set_score_maximum(score.score_maximum)
             .set_timestamp(score.computed_at.isoformat(timespec="milliseconds")).set_user_id(identity.sub)
             .set_activity_progress("Submitted").set_grading_progress("FullyGraded"))
    service = AssignmentsGradesService(connectors[platform.pk], {"scope": link.ags_scopes,
                                                                  "lineitem": link.lineitem_url})
    service.put_grade(grade)


def _failed(score: Score, error: str) -> None:
    delay = min(settings.LTI_SCORE_RETRY_BASE_S * 2 ** score.tries, settings.LTI_SCORE_RETRY_MAX_S)
    Score.objects.filter(pk=score.pk).update(tries=F("tries") + 1, last_error=error[:500], claimed_until=None,
                                             next_try_at=timezone.now() + timedelta(seconds=delay))
    logger.warning("score %s for %s not sent (try %s): %s", score.pk, score.user_id, score.tries + 1, error)


def _sent(score: Score) -> None:
    done = {"sent_version": score.version, "claimed_until": None, "tries": 0, "last_error": "",
            "sent_at": timezone.now()}
    if not Score.objects.filter(pk=score.pk, version=score.version).update(status=Score.Status.SENT, **done):
        Score.objects.filter(pk=score.pk).update(**done)  # a newer value came meanwhile: it stays owed


def scores_send_due(*, limit: int = SEND_BATCH) -> dict[str, int]:
    """Sends every owed score whose next try has come, oldest first; counts the outcomes."""
    due = scores_owed().filter(next_try_at__lte=timezone.now()).order_by("next_try_at", "pk")
    connectors: dict[int, PlatformConnector] = {}
    outcomes = {"sent": 0, "failed": 0, "skipped": 0}
    for score_id in due.values_list("pk", flat=True)[:limit]:
        outcomes[score_send(score_id=score_id, connectors=connectors)] += 1
    return outcomes


def scores_refresh() -> int:
    """Records every linked student's score on every practice activity; returns how many changed."""
    changed = 0
    for course_id, issuer in _practice_courses():
        students = get_user_model().objects.filter(
            enrollments__course_id=course_id, enrollments__role=Enrollment.Role.STUDENT,
            lti_identity__issuer=issuer).distinct()
        for student in students:
            changed += len(practice_scores_record(student=student, course_id=course_id))
    return changed


def _practice_courses() -> set[tuple[int, str]]:
    """(course, issuer) of every practice activity that has a line item."""
    links = ResourceLink.objects.filter(target=ResourceLink.Target.PRACTICE, skill__isnull=False,
                                        context__course__isnull=False).exclude(lineitem_url="")
    return set(links.values_list("context__course_id", "context__platform__issuer"))
