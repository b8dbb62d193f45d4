"""The browser tests' database: migrated, with accounts, a flagged answer and practice items, made before the
server starts.

Run as ``python -m tests.browser.seed`` with the server's environment; prints what it made as one JSON
line. The server is another process, so pytest-django's test database is no use here.
"""
from __future__ import annotations

import json

COURSE = {"slug": "algebra", "title": "Algebra", "description": "Fractions and linear equations."}
STUDENT = {"username": "browser-student", "password": "pw-browser-student"}
TEACHER = {"username": "browser-teacher", "password": "pw-browser-teacher"}
ADMIN = {"username": "browser-admin", "password": "pw-browser-admin"}

# Markup that does something visible if a page ever parses it as HTML: a global, and a dialog.
IMG_PAYLOAD = '<img src=x onerror="window.__pwned=1;alert(1)">'
SCRIPT_PAYLOAD = "<script>window.__pwned=2;alert(2)</script>"
FLAGGED_QUESTION = f"Seeded: is {IMG_PAYLOAD} 3/4?"
FLAGGED_ANSWER = f"It is {IMG_PAYLOAD} {SCRIPT_PAYLOAD} 5/8."
# Each practice item "solve x + n = 2n" declares the wrong answer 2n (the right-hand side given as x).
TOOK_THE_TOTAL = {"id": "took-the-total", "text": "You gave the right-hand side; subtract to find x."}


def seed() -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from annotation.tests.review_factories import flagged_task
    from learning.services import course_upsert, enrollment_ensure
    from learning.tests.factories import practice_content

    call_command("migrate", interactive=False, verbosity=0)
    course = course_upsert(**COURSE)
    # Nothing checks the fake engine's answers: with abstention on they would be held, not streamed.
    type(course).objects.filter(id=course.id).update(abstain_below=None)
    users = get_user_model().objects
    student = users.create_user(**STUDENT)
    teacher = users.create_user(**TEACHER, is_staff=True)  # teachers work in Django admin
    users.create_superuser(**ADMIN, email="")
    enrollment_ensure(user=student, course=course, role="student")
    enrollment_ensure(user=teacher, course=course, role="teacher")
    task = flagged_task(course=course, student=student, question=FLAGGED_QUESTION, answer=FLAGGED_ANSWER)
    for item in practice_content(course).values():  # numeric items: the answer to "x + n = 2n" is n
        item.misconceptions = [{**TOOK_THE_TOTAL, "value": 2 * item.answer_spec["value"]}]
        item.save(update_fields=["misconceptions"])
    return {"course_id": course.id, "task_id": task.id, "answer_id": task.answer_id,
            "conversation_id": task.answer.conversation_id}


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(seed()))
