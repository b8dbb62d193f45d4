"""Prepare or check the base model without starting the server."""
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tutor.engine.types import ModelUnavailable


class Command(BaseCommand):
    help = (
        "prepare: convert the base model (TUTOR_BASE_MODEL, default the bundled SmolLM2-135M-Instruct GGUF) once "
        "to safetensors in TUTOR_MODEL_CACHE, so the server loads it in a fraction of a second. "
        "check: load it and generate a few tokens."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["prepare", "check"])

    def handle(self, *args, action: str, **options):
        try:
            self._prepare() if action == "prepare" else self._check()
        except ModelUnavailable as exc:
            raise CommandError(exc.detail) from None

    def _prepare(self) -> None:
        from tutor.engine.loading import cached_conversion, resolve_source

        started = time.perf_counter()
        source = resolve_source(settings.TUTOR_BASE_MODEL)
        folder = source.path if source.kind == "folder" else cached_conversion(source, settings.TUTOR_MODEL_CACHE)
        self.stdout.write(f"Model {source.name} ready in {folder} ({time.perf_counter() - started:.1f} s).")

    def _check(self) -> None:
        import asyncio

        from tutor.engine import engine_config_from_settings
        from tutor.engine.transformers_engine import TransformersEngine
        from tutor.engine.types import ChatTurn, Completion, GenerationRequest

        engine = TransformersEngine(engine_config_from_settings())
        request = GenerationRequest("You are a tutor.", [ChatTurn("user", "What is 1/2 + 1/4?")], max_new_tokens=16)

        async def answer() -> Completion:
            return [event async for event in engine.stream(request)][-1]

        completion = asyncio.run(answer())
        engine.close()
        self.stdout.write(f"{engine.model_name}: {completion.text!r} (confidence {completion.confidence:.2f})")
