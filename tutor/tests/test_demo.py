"""The demo's accounts: in embedded mode only, and with an administrator, so that someone trying the demo can
start retraining, and promote or roll back a version."""
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from tutor.management.commands.tutor_demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_the_demo_creates_an_administrator_beside_the_teachers(settings):
    settings.TUTOR_EMBEDDED = True
    out = io.StringIO()
    call_command("tutor_demo", stdout=out)
    users = get_user_model().objects
    admin1, teacher1 = users.get(username="admin1"), users.get(username="teacher1")
    assert admin1.is_superuser and admin1.is_staff and admin1.check_password(DEMO_PASSWORD)
    assert teacher1.is_staff and not teacher1.is_superuser
    assert "administrator: admin1" in out.getvalue()


def test_a_second_run_keeps_one_administrator(settings):
    settings.TUTOR_EMBEDDED = True
    for _ in range(2):
        call_command("tutor_demo", stdout=io.StringIO())
    assert get_user_model().objects.filter(is_superuser=True).count() == 1


def test_outside_embedded_mode_no_demo_account_is_created(settings):
    settings.TUTOR_EMBEDDED = False
    with pytest.raises(CommandError, match="embedded mode only"):
        call_command("tutor_demo", stdout=io.StringIO())
    assert not get_user_model().objects.filter(username__in=["admin1", "student1"]).exists()
