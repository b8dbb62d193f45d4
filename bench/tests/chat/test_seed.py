"""``manage.py bench_seed``: the benchmark course, its students, and their bearer tokens."""
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from bench.chat.server import BENCH_PASSWORD
from learning.models import Enrollment
from tutor.models import ApiToken

pytestmark = pytest.mark.django_db


def test_students_share_the_bench_password_and_each_gets_a_token(tmp_path):
    tokens = tmp_path / "tokens.json"
    call_command("bench_seed", "--students", "3", "--tokens", str(tokens))
    students = get_user_model().objects.filter(username__startswith="bench").order_by("username")
    assert [s.username for s in students] == ["bench0", "bench1", "bench2"]
    assert all(s.check_password(BENCH_PASSWORD) for s in students)
    assert {e.role for e in Enrollment.objects.filter(user__in=students)} == {"student"}
    issued = json.loads(tokens.read_text())
    assert len(set(issued)) == 3
    assert ApiToken.objects.filter(key_hash__in=[ApiToken.hash_key(raw) for raw in issued]).count() == 3


def test_without_tokens_no_token_is_issued():
    call_command("bench_seed", "--students", "2")
    assert get_user_model().objects.filter(username__startswith="bench").count() == 2
    assert not ApiToken.objects.exists()


def test_only_an_embedded_installation_gets_shared_passwords(settings):
    settings.TUTOR_EMBEDDED = False
    with pytest.raises(CommandError, match="embedded mode only"):
        call_command("bench_seed", "--students", "1")
    assert not get_user_model().objects.filter(username__startswith="bench").exists()
