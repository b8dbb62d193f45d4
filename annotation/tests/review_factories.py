"""Review tasks as the router leaves them, for the admin and access tests."""
from __future__ import annotations

from annotation.models import Flag, ReviewEvent, ReviewTask
from annotation.router.features import question_key
from annotation.router.flagging import task_priority
from annotation.tests.factories import answered_question


def flagged_task(*, course, student, question: str = "What is 1/2 + 1/4?", answer: str = "It is 2/6.",
                 p_correct: float = 0.2, reason: str = Flag.LOW_CONFIDENCE, context: dict | None = None) -> ReviewTask:
    """An open task on the tutor's answer to ``student``'s question, with its "flagged" event."""
    message = answered_question(student=student, course=course, question=question, answer=answer, context=context)
    task = ReviewTask.objects.create(
        answer=message, course=course, reason=reason, p_correct=p_correct, askers=1,
        priority=task_priority(p_correct=p_correct, askers=1), question_key=question_key(question),
    )
    ReviewEvent.objects.create(task=task, action=ReviewEvent.Action.FLAGGED,
                               detail={"reason": reason, "p_correct": p_correct})
    return task
