"""The process-wide engine, built lazily from settings (no torch import until it is needed)."""
from __future__ import annotations

import threading

from tutor.engine.types import Engine

_engine: Engine | None = None
_lock = threading.Lock()


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                _engine = _build_from_settings()
    return _engine


def set_engine(engine: Engine | None) -> Engine | None:
    """Replace the process-wide engine (tests, benchmarks); returns the previous one."""
    global _engine
    with _lock:
        previous, _engine = _engine, engine
    return previous


def _build_from_settings() -> Engine:
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    if settings.TUTOR_ENGINE == "fake":
        from tutor.engine.fake import FakeEngine

        return FakeEngine(token_delay_s=settings.TUTOR_FAKE_ENGINE_DELAY_S)
    if settings.TUTOR_ENGINE == "transformers":
        # Imported here, when the engine is built: it loads torch and transformers, which no web process needs before.
        from tutor.engine.transformers_engine import TransformersEngine

        return TransformersEngine(engine_config_from_settings())
    if settings.TUTOR_ENGINE == "openai":
        from tutor.engine.openai_engine import OpenAIEngine

        return OpenAIEngine(openai_config_from_settings())
    raise ImproperlyConfigured(f"TUTOR_ENGINE={settings.TUTOR_ENGINE!r}; expected 'transformers', 'openai' or 'fake'.")


def engine_config_from_settings():
    from django.conf import settings

    from tutor.engine.config import EngineConfig

    return EngineConfig(
        base_model=settings.TUTOR_BASE_MODEL,
        cache_dir=settings.TUTOR_MODEL_CACHE,
        max_new_tokens=settings.TUTOR_MAX_NEW_TOKENS,
        max_prompt_tokens=settings.TUTOR_MAX_PROMPT_TOKENS,
        generation_timeout_s=settings.TUTOR_GENERATION_TIMEOUT_S,
        max_batch_size=settings.TUTOR_MAX_BATCH_SIZE,
        max_queue=settings.TUTOR_MAX_QUEUE,
        num_threads=settings.TUTOR_TORCH_THREADS or None,
        device=settings.TUTOR_DEVICE,
        max_adapters=settings.TUTOR_MAX_ADAPTERS,
        repetition_penalty=settings.TUTOR_REPETITION_PENALTY,
    )


def openai_config_from_settings():
    from django.conf import settings

    from tutor.engine.openai_config import OpenAIConfig

    own = ("base_url", "model", "api_key", "connect_timeout_s", "read_timeout_s", "retries", "prompt", "adapters")
    return OpenAIConfig(
        **{name: getattr(settings, f"TUTOR_OPENAI_{name.upper()}") for name in own},
        # The local engine's answer limits, and as many answers in flight as it would run and queue.
        generation_timeout_s=settings.TUTOR_GENERATION_TIMEOUT_S, max_new_tokens=settings.TUTOR_MAX_NEW_TOKENS,
        max_prompt_tokens=settings.TUTOR_MAX_PROMPT_TOKENS,
        max_streams=settings.TUTOR_MAX_BATCH_SIZE + settings.TUTOR_MAX_QUEUE,
    )
