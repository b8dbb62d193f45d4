"""Launch-to-page time: from the platform's launch POST to the page the user lands on, rendered.

Runs in a throwaway test database with a platform played on loopback (bench.lti.platform): each launch is a
fresh login initiation (not timed with the launch), then the timed launch POST (token checks, the platform's
JWKS, the account and enrolment) and the GET of the page it redirects to. The first launch fetches the
platform's keyset; later ones use the cached one, so that one is reported apart.
"""
from __future__ import annotations

import statistics
import time

from django.db import connection
from django.test.utils import setup_test_environment, teardown_test_environment

from bench.lti.platform import INSTRUCTOR, LEARNER, FakePlatform, launch, login


def run_launch_bench(*, launches: int = 50) -> dict:
    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    platform = FakePlatform()
    try:
        course = platform_register(platform)
        cold = _timed_launch(platform, sub="learner-cold", roles=[LEARNER])
        new = [_timed_launch(platform, sub=f"learner-{n}", roles=[LEARNER]) for n in range(launches)]
        returning = [_timed_launch(platform, sub=f"learner-{n}", roles=[LEARNER]) for n in range(launches)]
        instructors = [_timed_launch(platform, sub=f"instructor-{n}", roles=[INSTRUCTOR]) for n in range(launches)]
        login_ms = [_timed_login(platform) for _ in range(launches)]
    finally:
        platform.close()
        connection.creation.destroy_test_db(test_db, verbosity=0)
        teardown_test_environment()
    return {
        "database": connection.vendor, "launches_per_kind": launches, "course": course,
        "first_launch_with_keyset_fetch_ms": round(cold, 2),
        "learner_new_account_ms": timing_summary(new), "learner_returning_ms": timing_summary(returning),
        "instructor_new_account_ms": timing_summary(instructors), "login_initiation_ms": timing_summary(login_ms),
    }


def platform_register(platform: FakePlatform) -> str:
    from learning.models import Course
    from lti.models import Context, Deployment, Platform
    from lti.services import tool_key_rotate

    tool_key_rotate()
    course = Course.objects.create(slug="algebra", title="Algebra")
    registered = Platform.objects.create(name="Bench LMS", issuer=platform.issuer, client_id=platform.client_id,
                                         auth_login_url=platform.auth_login_url,
                                         auth_token_url=platform.auth_token_url, jwks_url=platform.jwks_url)
    Deployment.objects.create(platform=registered, deployment_id=platform.deployment_id)
    Context.objects.create(platform=registered, context_id="course-101", course=course)
    return course.title


def _timed_launch(platform: FakePlatform, *, sub: str, roles: list[str]) -> float:
    started = login(platform)
    token = platform.sign(platform.claims(nonce=started.nonce, sub=sub, roles=roles))
    begin = time.perf_counter()
    response = launch(started, token)
    page = started.client.get(response["Location"]) if response.status_code == 302 else response
    elapsed = (time.perf_counter() - begin) * 1000
    if response.status_code != 302 or page.status_code != 200:
        raise RuntimeError(f"launch of {sub} answered {response.status_code}, its page {page.status_code}")
    return elapsed


def _timed_login(platform: FakePlatform) -> float:
    begin = time.perf_counter()
    login(platform)
    return (time.perf_counter() - begin) * 1000


def timing_summary(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"median": round(statistics.median(ordered), 2),
            "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2), "max": round(ordered[-1], 2)}
