"""Each student's value of every experiment metric, from their plain activity since exposure (pure).

Next-item correctness (the primary metric). A tutor question is about a skill when the student was served a
practice item of that skill within the hour before asking (the item open while they asked, or the one they had
just answered). Its outcome is the student's first attempt at an item of that skill served after the question:
the next item, not the one the tutor was helping with. Each such attempt counts once, as its correctness minus
the success the knowledge model predicted for it just before; the student's value is the mean of these. Random
assignment alone makes raw correctness a fair comparison; subtracting the prediction takes out most of the
differences between students, so the interval is narrower for the same number of them.

Secondary: mastery gain per hour of activity, questions per session, and teacher corrections per 100 tutor
answers. A session is a run of questions and attempts with no gap longer than ``SESSION_GAP``; its length is
from its first event to its last.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Sequence

SESSION_GAP = timedelta(minutes=30)
# Mastery gain per hour is left out for a student active less than this: a gain over two minutes would be
# divided by almost nothing.
MIN_ACTIVE_HOURS = 0.1

NEXT_ITEM = "next_item_correctness"
MASTERY_PER_HOUR = "mastery_gain_per_hour"
QUESTIONS_PER_SESSION = "questions_per_session"
CORRECTIONS_PER_100 = "corrections_per_100_answers"
METRICS = (NEXT_ITEM, MASTERY_PER_HOUR, QUESTIONS_PER_SESSION, CORRECTIONS_PER_100)
PRIMARY = NEXT_ITEM


@dataclass(frozen=True)
class Question:
    at: datetime
    skills: frozenset[str]  # the skills of the item served within the hour before (empty: none)


@dataclass(frozen=True)
class PracticeAttempt:
    served_at: datetime
    answered_at: datetime
    skills: frozenset[str]
    correct: bool
    predicted: float | None  # the knowledge model's P(correct) just before it; None: item unknown to the model


@dataclass(frozen=True)
class Activity:
    """One student's activity in the course since their first exposure to the experiment."""

    questions: Sequence[Question]
    attempts: Sequence[PracticeAttempt]  # in the order they were answered
    answers: int  # tutor answers the student got
    corrected_answers: int  # of those, the ones a teacher corrected
    mastery_start: float | None  # mean mastery over the course's skills at exposure
    mastery_end: float | None


def next_item_outcomes(questions: Sequence[Question], attempts: Sequence[PracticeAttempt]) -> list[PracticeAttempt]:
    """The attempts that are the next item after a tutor question about one of their skills, each once."""
    by_serving = sorted(attempts, key=lambda a: a.served_at)
    chosen: set[int] = set()
    for question in questions:
        for skill in question.skills:
            position = next((i for i, a in enumerate(by_serving) if skill in a.skills and a.served_at > question.at),
                            None)
            if position is not None:
                chosen.add(position)
    return [by_serving[i] for i in sorted(chosen)]


def next_item_value(outcomes: Sequence[PracticeAttempt]) -> float | None:
    """The mean of correctness minus prediction over ``outcomes`` that have a prediction; None without any."""
    residuals = [float(a.correct) - a.predicted for a in outcomes if a.predicted is not None]
    return sum(residuals) / len(residuals) if residuals else None


def sessions(times: Sequence[datetime], gap: timedelta = SESSION_GAP) -> list[tuple[datetime, datetime]]:
    """(start, end) of each run of ``times`` with no gap longer than ``gap``."""
    runs: list[tuple[datetime, datetime]] = []
    for at in sorted(times):
        if runs and at - runs[-1][1] <= gap:
            runs[-1] = (runs[-1][0], at)
        else:
            runs.append((at, at))
    return runs


def student_values(activity: Activity) -> dict[str, float | None]:
    """Every metric's value for one student (None where the student gives the metric nothing to measure)."""
    times = [q.at for q in activity.questions] + [t for a in activity.attempts for t in (a.served_at, a.answered_at)]
    runs = sessions(times)
    hours = sum((end - start).total_seconds() for start, end in runs) / 3600
    return {
        NEXT_ITEM: next_item_value(next_item_outcomes(activity.questions, activity.attempts)),
        MASTERY_PER_HOUR: _mastery_gain_per_hour(activity, hours),
        QUESTIONS_PER_SESSION: len(activity.questions) / len(runs) if runs else None,
        CORRECTIONS_PER_100: 100 * activity.corrected_answers / activity.answers if activity.answers else None,
    }


def _mastery_gain_per_hour(activity: Activity, hours: float) -> float | None:
    if activity.mastery_start is None or activity.mastery_end is None or hours < MIN_ACTIVE_HOURS:
        return None
    return (activity.mastery_end - activity.mastery_start) / hours
