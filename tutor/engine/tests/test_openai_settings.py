"""The openai engine's settings: defaults that work with a local llama-server, and clear errors for bad values."""
from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from tutor.engine.openai_config import OpenAIConfig
from tutor.envconfig import env_url


def test_env_url_strips_the_trailing_slash_and_refuses_what_is_not_a_url(monkeypatch):
    monkeypatch.setenv("TUTOR_OPENAI_BASE_URL", "http://gpu-1.internal:8000/v1/")
    assert env_url("TUTOR_OPENAI_BASE_URL", "") == "http://gpu-1.internal:8000/v1"
    monkeypatch.setenv("TUTOR_OPENAI_BASE_URL", "gpu-1:8000")
    with pytest.raises(ImproperlyConfigured, match="TUTOR_OPENAI_BASE_URL='gpu-1:8000' is not a URL"):
        env_url("TUTOR_OPENAI_BASE_URL", "")


@pytest.mark.parametrize("field, value, message", [
    ("prompt", "template", "prompt must be one of"), ("adapters", "peft", "adapters must be one of"),
    ("read_timeout_s", 0, "read_timeout_s must be positive"), ("retries", -1, "must not be negative"),
    ("top_logprobs", 50, "between 1 and 20"), ("base_url", "ftp://x", "must start with http"),
])
def test_bad_config_values_are_named(field, value, message):
    with pytest.raises(ValueError, match=message):
        OpenAIConfig(**{field: value})
