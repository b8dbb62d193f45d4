"""The benchmark course and its students, made on a benchmark's throwaway database (``manage.py bench_seed``)."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from bench.chat.server import BENCH_PASSWORD
from learning.models import Enrollment
from learning.services import course_upsert
from tutor.demo import load_demo
from tutor.services import api_token_issue


def bench_course_seed(*, students: int, with_tokens: bool) -> list[str]:
    """The demo's first course with ``students`` enrolled students (bench0, bench1, ...), who share one password;
    one bearer token per student when ``with_tokens``, so a load test need not hash 500 passwords to log in."""
    course = course_upsert(**load_demo()["courses"][0])
    password = make_password(BENCH_PASSWORD)  # hashed once, not once per student
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bench{i}", password=password) for i in range(students)]
    )
    Enrollment.objects.bulk_create([Enrollment(user=u, course=course, role="student") for u in users])
    return [api_token_issue(user=user) for user in users] if with_tokens else []
