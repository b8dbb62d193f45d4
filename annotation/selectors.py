from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Avg, Count, F, Max, Min, Q, QuerySet
from django.utils import timezone

from annotation.models import AnswerScore, Flag, ReviewEvent, ReviewPolicy, ReviewTask, RouterVersion, TrainingRun
from annotation.router.flagging import DailyBudget, DayCounts
from learning.mastery import courses_for_teacher
from learning.models import Course, Enrollment, Passage
from tutor.models import Draft, Message, ModelVersion
from tutor.school_day import day_start  # budgets are per school day

ASKERS_WINDOW_DAYS = 30


def review_policy_of(*, course_id: int) -> tuple[int, float, float]:
    """(reviews per teacher per day, random share, learn share) for the course: its own policy, else the
    settings (a policy without a learn share takes the setting's)."""
    policy = ReviewPolicy.objects.filter(course_id=course_id).values_list(
        "reviews_per_teacher_per_day", "random_share", "learn_share").first()
    if policy is None:
        return (settings.ANNOTATION_REVIEWS_PER_TEACHER_PER_DAY, settings.ANNOTATION_RANDOM_SHARE,
                settings.ANNOTATION_LEARN_SHARE)
    per_teacher, random_share, learn_share = policy
    return per_teacher, random_share, settings.ANNOTATION_LEARN_SHARE if learn_share is None else learn_share


def course_daily_budget(*, course_id: int) -> DailyBudget:
    per_teacher, random_share, learn_share = review_policy_of(course_id=course_id)
    teachers = Enrollment.objects.filter(
        course_id=course_id, role=Enrollment.Role.TEACHER, user__is_active=True).count()
    return DailyBudget(reviews=teachers * per_teacher, random_share=random_share, learn_share=learn_share)


def recent_answer_rate(*, course_id: int, days: int) -> float:
    """Answers a day in the course, over the last ``days`` days or since its first answer if later."""
    now = timezone.now()
    window = AnswerScore.objects.filter(course_id=course_id, created_at__gte=now - timedelta(days=days))
    stats = window.aggregate(count=Count("pk"), first=Min("created_at"))
    if not stats["count"]:
        return 0.0
    span_days = max((now - stats["first"]).total_seconds() / 86400, 1.0)
    return stats["count"] / span_days


def today_counts(*, course_id: int) -> DayCounts:
    today = ReviewTask.objects.filter(course_id=course_id, created_at__gte=day_start())
    counted = today.exclude(status=ReviewTask.Status.SUPERSEDED)
    counts = counted.aggregate(
        low=Count("pk", filter=Q(reason=Flag.LOW_CONFIDENCE)), sample=Count("pk", filter=Q(reason=Flag.RANDOM_SAMPLE)),
        learn=Count("pk", filter=Q(reason=Flag.LEARN)))
    replaceable = open_likely_wrong_today(course_id=course_id).aggregate(p=Max("p_correct"))
    return DayCounts(low_confidence=counts["low"], random_sample=counts["sample"], replaceable_p=replaceable["p"],
                     learn=counts["learn"])


def question_taken_today(*, course_id: int, key: str) -> bool:
    """Whether a task of the day (not dropped) already holds this question: a learn slot skips near-copies."""
    return ReviewTask.objects.filter(course_id=course_id, question_key=key, created_at__gte=day_start()).exclude(
        status=ReviewTask.Status.SUPERSEDED).exists()


def open_likely_wrong_today(*, course_id: int) -> QuerySet[ReviewTask]:
    """Today's likely-wrong tasks that nobody has claimed: the ones a worse answer may replace."""
    return ReviewTask.objects.filter(course_id=course_id, status=ReviewTask.Status.OPEN, reason=Flag.LOW_CONFIDENCE,
                                     created_at__gte=day_start())


def askers_of(*, course_id: int, key: str) -> int:
    """Distinct students of the course who asked a question with this key in the last 30 days."""
    since = timezone.now() - timedelta(days=ASKERS_WINDOW_DAYS)
    same = AnswerScore.objects.filter(course_id=course_id, question_key=key, created_at__gte=since)
    return max(same.values("student_id").distinct().count(), 1)


def review_tasks_for_teacher(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[ReviewTask]:
    """Review tasks of the courses ``user`` teaches (every course for a superuser)."""
    return ReviewTask.objects.filter(course__in=courses_for_teacher(user=user).values("pk"))


def review_task_get_for_teacher(*, user: AbstractBaseUser | AnonymousUser, task_id: int) -> ReviewTask | None:
    """The task if it belongs to a course ``user`` teaches, else None: missing and not-yours look the same."""
    return review_tasks_for_teacher(user=user).filter(id=task_id).select_related(
        "answer__reply_to", "answer__conversation", "course").first()


def conversation_before(*, task: ReviewTask, limit: int = 20) -> list[tuple[str, str]]:
    """(role, text) of the conversation up to the flagged question, oldest first."""
    earlier = Message.objects.filter(conversation_id=task.answer.conversation_id, id__lt=task.answer.reply_to_id)
    return list(reversed(earlier.order_by("-id").values_list("role", "text")[:limit]))


@dataclass(frozen=True)
class WorkloadRow:
    course: Course
    teacher_username: str
    resolved_today: int
    budget_per_day: int
    open_in_course: int


def teacher_workload(*, user: AbstractBaseUser) -> list[WorkloadRow]:
    """For every course ``user`` teaches (all for a superuser), each teacher's verdicts today against the
    per-teacher budget, and the course's open tasks."""
    courses = list(courses_for_teacher(user=user).order_by("title"))
    start = day_start()
    resolved = dict(
        ((row["course_id"], row["resolved_by_id"]), row["n"]) for row in ReviewTask.objects.filter(
            course__in=courses, resolved_at__gte=start).values("course_id", "resolved_by_id").annotate(n=Count("pk")))
    open_counts = dict(ReviewTask.objects.filter(course__in=courses, status__in=ReviewTask.UNRESOLVED)
                       .values("course_id").annotate(n=Count("pk")).values_list("course_id", "n"))
    teachers = Enrollment.objects.filter(course__in=courses, role=Enrollment.Role.TEACHER).select_related("user")
    rows = []
    for enrollment in teachers.order_by("course__title", "user__username"):
        per_teacher, _, _ = review_policy_of(course_id=enrollment.course_id)
        rows.append(WorkloadRow(
            enrollment.course, enrollment.user.username, resolved.get((enrollment.course_id, enrollment.user_id), 0),
            per_teacher, open_counts.get(enrollment.course_id, 0)))
    return rows


def verdicts_after(*, task_id: int) -> int:
    return ReviewTask.objects.filter(id__gt=task_id, status__in=ReviewTask.VERDICTS).count()


def verdict_training_rows() -> tuple[list[dict], list[bool], int]:
    """Every verdict's answer features and whether the answer was right, plus the newest task id used."""
    tasks = ReviewTask.objects.filter(status__in=ReviewTask.VERDICTS, answer__router_score__isnull=False)
    rows = list(tasks.order_by("id").values_list("id", "status", "answer__router_score__features"))
    features = [row[2] for row in rows]
    correct = [row[1] == ReviewTask.Status.APPROVED for row in rows]
    return features, correct, rows[-1][0] if rows else 0


# --- for the review admin -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AnswerPassage:
    title: str
    source: str
    score: float | None
    text: str | None  # None: the passage is no longer in the course's notes


def answer_passages(*, task: ReviewTask) -> list[AnswerPassage]:
    """The passages the tutor was given for the task's answer, as recorded with it, with their text where
    the passage still exists in the task's course (the recorded ids are never trusted across courses)."""
    context = task.answer.context if isinstance(task.answer.context, dict) else {}
    recorded = context.get("passages")
    hits = [hit for hit in recorded if isinstance(hit, dict)] if isinstance(recorded, list) else []
    ids = [_passage_id(hit) for hit in hits]
    texts = dict(Passage.objects.filter(course_id=task.course_id, id__in=[i for i in ids if i is not None])
                 .values_list("id", "text"))
    return [
        AnswerPassage(str(hit.get("title") or ""), str(hit.get("source") or ""), _score(hit), texts.get(passage_id))
        for hit, passage_id in zip(hits, ids)
    ]


def _passage_id(hit: dict) -> int | None:
    return hit.get("id") if type(hit.get("id")) is int else None  # not bool, which is an int too


def _score(hit: dict) -> float | None:
    return float(hit["score"]) if type(hit.get("score")) in (int, float) else None


def review_task_history(*, task: ReviewTask) -> QuerySet[ReviewEvent]:
    return task.events.select_related("actor").order_by("id")


def review_verdict_pairs(*, user: AbstractBaseUser | AnonymousUser) -> list[tuple[float, bool]]:
    """(the router's p_correct when the answer was flagged, whether the teacher approved it) for every verdict
    in the courses ``user`` teaches (all for a superuser): the data of the router's reliability diagram."""
    verdicts = review_tasks_for_teacher(user=user).filter(status__in=ReviewTask.VERDICTS)
    return [(p, status == ReviewTask.Status.APPROVED) for p, status in verdicts.values_list("p_correct", "status")]


def router_version_newest() -> RouterVersion | None:
    """The version that routes new answers (None: the hand-set prior, before enough verdicts)."""
    return RouterVersion.objects.order_by("-id").first()


def training_runs_for_teacher(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[TrainingRun]:
    """Training runs of the courses ``user`` teaches (every course's for a superuser)."""
    return TrainingRun.objects.filter(course__in=courses_for_teacher(user=user).values("pk"))


def training_run_get_for_teacher(*, user: AbstractBaseUser | AnonymousUser, run_id: int) -> TrainingRun | None:
    """The run if it is of a course ``user`` teaches, else None: missing and not-yours look the same."""
    return training_runs_for_teacher(user=user).select_related("course", "model_version").filter(pk=run_id).first()


def model_versions_for_teacher(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[ModelVersion]:
    """Model versions of the courses ``user`` teaches (every course's for a superuser)."""
    return ModelVersion.objects.filter(course__in=courses_for_teacher(user=user).values("pk"))


# --- draft approval (tutor.drafts) -----------------------------------------------------------------------------

def held_drafts_for_teacher(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[ReviewTask]:
    """The review tasks of ``user``'s courses whose answer is a draft still held for a teacher, oldest first."""
    return (review_tasks_for_teacher(user=user)
            .filter(answer__draft__status=Draft.Status.HELD, status__in=ReviewTask.UNRESOLVED)
            .select_related("answer__reply_to", "answer__draft", "course", "claimed_by")
            .order_by("answer__draft__held_at", "id"))


@dataclass(frozen=True)
class DraftStatsRow:
    course_title: str
    teacher: str  # "" on a course's total row
    decisions: int
    approved_as_is: int
    edited: int
    rejected: int
    mean_edit_distance: float | None  # over approvals and edits
    mean_wait_s: float | None  # hold to decision

    @property
    def approve_as_is_rate(self) -> float | None:
        return self.approved_as_is / self.decisions if self.decisions else None


def draft_decision_stats(*, user: AbstractBaseUser | AnonymousUser) -> list[DraftStatsRow]:
    """Teachers' decisions on held drafts in ``user``'s courses: each course's total, then each teacher's in it.
    Approved as is: approved, or edited by at most two characters (tutor.edit_distance)."""
    decided = Draft.objects.filter(course__in=courses_for_teacher(user=user).values("pk"),
                                   status__in=Draft.DECIDED)
    totals = _draft_stats(decided.values("course__title"))
    per_teacher = _draft_stats(decided.values("course__title", "decided_by__username"))
    rows = [DraftStatsRow(row["course__title"], row.get("decided_by__username") or "", row["n"], row["as_is"],
                          row["edited"], row["rejected"], row["distance"],
                          row["wait"].total_seconds() if row["wait"] is not None else None)
            for row in [*totals, *per_teacher]]
    return sorted(rows, key=lambda row: (row.course_title, row.teacher))


def _draft_stats(grouped) -> list[dict]:
    status = Draft.Status
    return list(grouped.annotate(
        n=Count("pk"), as_is=Count("pk", filter=Q(approved_as_is=True)),
        edited=Count("pk", filter=Q(status=status.EDITED)), rejected=Count("pk", filter=Q(status=status.REJECTED)),
        distance=Avg("edit_distance"), wait=Avg(F("resolved_at") - F("held_at"))).order_by())
