"""What an experiment shows its course's staff (selectors): each arm's students and metrics, and each arm
against the first (the control), from the database.

Every student assigned is read with three queries for all of them (attempts, servings, answers). The
predicted success of each attempt is the knowledge model replayed over the student's attempts in order with
the course's current calibration, the prediction taken just before each one; a recalibration since may shift
it a little, for both arms alike. The analysis is tutor.experiments: fixed-horizon, per-student values.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _, gettext_lazy

from learning.course_knowledge import course_knowledge
from learning.knowledge import StudentState
from learning.mastery import courses_for_teacher
from learning.models import Attempt, Item, ServedItem
from tutor.experiments.metrics import METRICS, PRIMARY, Activity, PracticeAttempt, Question, student_values
from tutor.experiments.statistics import Comparison, Summary, compare, minimum_detectable_effect, summarise
from tutor.models import Experiment, ExperimentArm, Message

METRIC_NAMES = {
    "next_item_correctness": gettext_lazy("Next-item correctness minus predicted success (primary)"),
    "mastery_gain_per_hour": gettext_lazy("Mastery gain per hour of activity"),
    "questions_per_session": gettext_lazy("Questions per session"),
    "corrections_per_100_answers": gettext_lazy("Teacher corrections per 100 answers"),
}
ANALYSIS = gettext_lazy(
    # "95 %" and "5 %" are percentages, not formats. xgettext:no-python-format
    "Fixed-horizon analysis: one value per student, Welch 95 % interval for each arm minus the first arm. The "
    "interval is a decision only once both arms have the planned number of students; before that it is "
    "provisional, because stopping at the first interval that excludes zero finds an effect that is not there far "
    "more often than 5 % of the time.")


@dataclass(frozen=True)
class ArmReport:
    arm: ExperimentArm
    assigned: int
    summaries: dict[str, Summary]  # metric -> the arm's per-student values


@dataclass(frozen=True)
class ArmComparison:
    arm: ExperimentArm
    metric: str
    comparison: Comparison


@dataclass(frozen=True)
class ExperimentReport:
    experiment: Experiment
    arms: list[ArmReport]
    comparisons: list[ArmComparison]  # every later arm against the first, metric by metric
    sample_note: str


def experiments_for_staff(*, user):
    """The experiments of the courses ``user`` teaches (every one for a superuser)."""
    return Experiment.objects.filter(course__in=courses_for_teacher(user=user))


def experiment_get_for_staff(*, user, experiment_id: int) -> Experiment | None:
    """The experiment if ``user`` teaches its course, else None: missing and not yours look the same."""
    return experiments_for_staff(user=user).select_related("course").filter(pk=experiment_id).first()


def experiment_report(*, experiment: Experiment) -> ExperimentReport:
    arms = list(experiment.arms.all())
    values = _values_by_arm(experiment)
    reports = [ArmReport(arm, len(values[arm.pk]), {metric: summarise([v[metric] for v in values[arm.pk]
                                                                        if v[metric] is not None])
                                                    for metric in METRICS}) for arm in arms]
    comparisons = [
        ArmComparison(arm, metric, compare([v[metric] for v in values[arms[0].pk] if v[metric] is not None],
                                           [v[metric] for v in values[arm.pk] if v[metric] is not None],
                                           planned_per_arm=experiment.planned_per_arm))
        for arm in arms[1:] for metric in METRICS]
    return ExperimentReport(experiment, reports, comparisons, _sample_note(experiment, reports))


def _sample_note(experiment: Experiment, arms: list[ArmReport]) -> str:
    planned = experiment.planned_per_arm
    counts = ", ".join(_("%(arm)s: %(with_outcome)d with a next-item outcome of %(assigned)d assigned")
                       % {"arm": a.arm.name, "with_outcome": a.summaries[PRIMARY].n, "assigned": a.assigned}
                       for a in arms)
    note = (_("Planned: %(planned)d students with a next-item outcome per arm. Now %(counts)s.")
            % {"planned": planned, "counts": counts or _("no arm")})
    sds = [a.summaries[PRIMARY].sd for a in arms if a.summaries[PRIMARY].sd is not None]
    if sds:
        sd = max(sds)
        note += " " + (_("With the observed spread (SD %(sd).3f), %(planned)d per arm detects a true difference of "
                         "%(effect).3f with 80 %% power.")
                       % {"sd": sd, "planned": planned, "effect": minimum_detectable_effect(sd, planned)})
    return note


def _values_by_arm(experiment: Experiment) -> dict[int, list[dict]]:
    assignments = list(experiment.assignments.values_list("student_id", "arm_id", "assigned_at"))
    activities = _activities(experiment, {student: since for student, _, since in assignments})
    by_arm: dict[int, list[dict]] = defaultdict(list)
    for student, arm, _ in assignments:
        by_arm[arm].append(student_values(activities[student]))
    return by_arm


def _activities(experiment: Experiment, since: dict[int, datetime]) -> dict[int, Activity]:
    course = experiment.course
    knowledge = course_knowledge(course=course)
    skills = _item_skills(course)
    attempts = _attempts_by_student(course, since, knowledge, skills)
    servings = _servings_by_student(course, since, skills)
    answers = _exposed_answers_by_student(experiment, since)
    activities = {}
    for student, start in since.items():
        replayed, mastery_start, mastery_end = attempts.get(student, ([], None, None))
        exposed = answers.get(student, [])
        questions = [Question(asked, _skills_asked_about(servings.get(student, []), asked)) for asked, _ in exposed]
        activities[student] = Activity(questions, replayed, len(exposed), sum(c for _, c in exposed),
                                       mastery_start, mastery_end)
    return activities


def _item_skills(course) -> dict[int, frozenset[str]]:
    pairs = Item.skills.through.objects.filter(item__course=course).values_list("item_id", "skill__key")
    skills: dict[int, set[str]] = defaultdict(set)
    for item, key in pairs:
        skills[item].add(key)
    return {item: frozenset(keys) for item, keys in skills.items()}


def _attempts_by_student(course, since, knowledge, skills) -> dict[int, tuple]:
    """Per student: their attempts since exposure with predictions, and mean mastery at exposure and now."""
    rows = (Attempt.objects.filter(student_id__in=since, item__course=course).order_by("student_id", "created_at", "pk")
            .values_list("student_id", "item_id", "item__key", "correct", "created_at", "serving__served_at"))
    by_student: dict[int, list] = defaultdict(list)
    for row in rows:
        by_student[row[0]].append(row[1:])
    return {student: _replay(knowledge, skills, since[student], attempts) for student, attempts in by_student.items()}


def _replay(knowledge, skills, start: datetime, attempts: list) -> tuple[list[PracticeAttempt], float, float]:
    state, replayed, mastery_start = StudentState(), [], None
    for item, key, correct, answered_at, served_at in attempts:
        if answered_at >= start and mastery_start is None:
            mastery_start = _mean_mastery(knowledge, state)
        known = key in knowledge.model.items
        predicted = knowledge.model.predict(state, key) if known else None
        if answered_at >= start:
            replayed.append(PracticeAttempt(served_at or answered_at, answered_at, skills.get(item, frozenset()),
                                            correct, predicted))
        state = knowledge.model.update(state, key, correct) if known else state
    end = _mean_mastery(knowledge, state)
    return replayed, end if mastery_start is None else mastery_start, end


def _mean_mastery(knowledge, state: StudentState) -> float | None:
    mastery = knowledge.mastery(state)
    return sum(mastery.values()) / len(mastery) if mastery else None


def _servings_by_student(course, since, skills) -> dict[int, list[tuple[datetime, frozenset[str]]]]:
    window = timedelta(seconds=settings.LEARNING_OPEN_ITEM_TTL_S)
    earliest = min(since.values(), default=None)
    if earliest is None:
        return {}
    rows = (ServedItem.objects.filter(student_id__in=since, item__course=course, served_at__gte=earliest - window)
            .order_by("served_at").values_list("student_id", "served_at", "item_id"))
    servings: dict[int, list] = defaultdict(list)
    for student, served_at, item in rows:
        servings[student].append((served_at, skills.get(item, frozenset())))
    return servings


def _skills_asked_about(servings: list[tuple[datetime, frozenset[str]]], asked: datetime) -> frozenset[str]:
    """The skills of the latest item served in the hour before the question (tutor.experiments.metrics)."""
    window = timedelta(seconds=settings.LEARNING_OPEN_ITEM_TTL_S)
    recent = [skills for served_at, skills in servings if asked - window <= served_at <= asked]
    return recent[-1] if recent else frozenset()


def _exposed_answers_by_student(experiment: Experiment, since) -> dict[int, list[tuple[datetime, bool]]]:
    """Per student, (when they asked, whether a teacher corrected the answer) for every answer planned under the
    experiment (its context names the experiment)."""
    earliest = min(since.values(), default=None)
    if earliest is None:
        return {}
    rows = (Message.objects.filter(role=Message.Role.TUTOR, conversation__course=experiment.course,
                                   conversation__student_id__in=since, created_at__gte=earliest - timedelta(minutes=1))
            .values_list("conversation__student_id", "reply_to__created_at", "corrected_at", "context"))
    answers: dict[int, list] = defaultdict(list)
    for student, asked, corrected_at, context in rows:
        if any(entry.get("experiment") == experiment.pk for entry in (context or {}).get("experiments", [])):
            answers[student].append((asked, corrected_at is not None))
    return answers


def report_csv_rows(report: ExperimentReport) -> list[list]:
    """The report as spreadsheet rows: one per arm and metric, then one per comparison."""
    rows: list[list] = [["arm", "metric", "students", "mean", "sd", "difference vs first arm", "ci95 low",
                         "ci95 high", "final (planned size reached)"]]
    for arm in report.arms:
        rows += [[arm.arm.name, metric, s.n, s.mean, s.sd, "", "", "", ""] for metric, s in arm.summaries.items()]
    for c in report.comparisons:
        d = c.comparison.difference
        rows.append([c.arm.name, c.metric, c.comparison.treatment.n, c.comparison.treatment.mean,
                     c.comparison.treatment.sd, d.estimate, d.low, d.high, c.comparison.decision.final])
    return rows
