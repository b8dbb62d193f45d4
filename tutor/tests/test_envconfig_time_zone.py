"""TUTOR_TIME_ZONE: the school's day for daily limits and budgets; a name that is no time zone stops start-up."""
import pytest
from django.core.exceptions import ImproperlyConfigured

from tutor.envconfig import env_time_zone


def test_a_time_zone_name_is_read(monkeypatch):
    monkeypatch.setenv("TUTOR_TIME_ZONE", " Europe/Stockholm ")
    assert env_time_zone("TUTOR_TIME_ZONE", "UTC") == "Europe/Stockholm"
    monkeypatch.delenv("TUTOR_TIME_ZONE")
    assert env_time_zone("TUTOR_TIME_ZONE", "UTC") == "UTC"


@pytest.mark.parametrize("value", ["Europe/Stockholmm", "", "../etc/passwd", "+02:00"])
def test_a_name_that_is_no_time_zone_is_refused_naming_what_was_expected(monkeypatch, value):
    monkeypatch.setenv("TUTOR_TIME_ZONE", value)
    with pytest.raises(ImproperlyConfigured, match="is not a time zone; expected an IANA name"):
        env_time_zone("TUTOR_TIME_ZONE", "UTC")
