"""Grade passback and roster sync times against the loopback platform's token, score and roster endpoints.

Runs in a throwaway test database (as ``launch_bench``). Learners are linked by launching a practice activity
(not timed); then each is owed one score:
- ``single_send_ms``: ``score_send`` of one row on its own, as right after a graded item: claim, a token request
  (client assertion signed by the tool and verified by the platform), the score POST, marking it sent;
- ``batch_send_per_score_ms``: ``scores_send_due`` over every owed row (one token for the batch), per score;
- ``roster_sync_ms``: ``roster_sync`` of a roster in pages of 100 (creates the accounts on the first run; the
  second run finds them all).
"""
from __future__ import annotations

import time

from django.db import connection
from django.test.utils import setup_test_environment, teardown_test_environment
from django.utils import timezone

from bench.lti.launch_bench import platform_register, timing_summary
from bench.lti.platform import FakePlatform
from bench.lti.platform_services import PlatformServices, activity_launch, member

PRACTICE = {"tutor_target": "practice", "tutor_skill": "fractions"}


def run_services_bench(*, scores: int = 50, members: int = 500) -> dict:
    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    platform = FakePlatform()
    try:
        platform_register(platform)
        services = PlatformServices(platform, _tool_key())
        learners = _learners(platform, services, scores)
        single = [_timed(lambda: _send_one(learner, value=40.0)) for learner in learners]
        _owe_everyone(learners, value=60.0)
        batch = _timed(_send_due) / len(learners)
        services.roster_pages([[member(f"m-{n}") for n in range(page, min(page + 100, members))]
                               for page in range(0, members, 100)])
        first_sync, second_sync = _timed(_sync), _timed(_sync)
    finally:
        platform.close()
        connection.creation.destroy_test_db(test_db, verbosity=0)
        teardown_test_environment()
    return {"database": connection.vendor, "scores": scores, "single_send_ms": timing_summary(single),
            "batch_send_per_score_ms": round(batch, 2), "scores_accepted_by_platform": len(services.scores),
            "roster_members": members, "roster_sync_first_ms": round(first_sync, 1),
            "roster_sync_again_ms": round(second_sync, 1)}


def _tool_key():
    from lti.keys import KeyPair
    from lti.selectors import tool_key_active

    key = tool_key_active()
    return KeyPair(kid=key.kid, private_pem=key.private_key, public_pem=key.public_key)


def _learners(platform, services, count: int) -> list:
    from learning.models import Skill
    from lti.models import Context, Identity

    Skill.objects.create(course=Context.objects.get().course, key="fractions", name="Fractions")
    for n in range(count):
        _, landed = activity_launch(platform, services, sub=f"learner-{n}", custom=PRACTICE)
        if landed.status_code != 302:
            raise RuntimeError(f"launch answered {landed.status_code}")
    return [identity.user for identity in Identity.objects.order_by("pk")]


def _send_one(learner, *, value: float) -> None:
    from lti.grades import score_record, score_send
    from lti.models import ResourceLink

    score_id = score_record(link=ResourceLink.objects.get(), user=learner, value=value, computed_at=timezone.now())
    if score_send(score_id=score_id) != "sent":
        raise RuntimeError("a score was not sent")


def _owe_everyone(learners, *, value: float) -> None:
    from lti.grades import score_record
    from lti.models import ResourceLink

    for learner in learners:
        score_record(link=ResourceLink.objects.get(), user=learner, value=value, computed_at=timezone.now())


def _send_due() -> None:
    from lti.grades import scores_send_due

    outcomes = scores_send_due()
    if outcomes["failed"] or outcomes["skipped"]:
        raise RuntimeError(f"batch send: {outcomes}")


def _sync() -> None:
    from lti.models import Context
    from lti.roster import roster_sync

    roster_sync(context=Context.objects.select_related("platform", "course").get())


def _timed(call) -> float:
    begin = time.perf_counter()
    call()
    return (time.perf_counter() - begin) * 1000
