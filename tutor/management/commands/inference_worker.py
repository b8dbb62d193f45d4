"""Run an inference worker: `manage.py inference_worker` (the hand-off stream is named by TUTOR_INFERENCE_CHANNEL)."""
import asyncio
import signal

from channels.layers import get_channel_layer
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tutor.inference import InferenceWorker
from tutor.warmup import warm_up_engine_in_background


class Command(BaseCommand):
    help = ("Generate the tutor's answers for the web servers (they hand them over through the Redis stream named "
            "by TUTOR_INFERENCE_CHANNEL). SIGTERM: take no new answer, finish those in hand.")

    def handle(self, *args, **options):
        if not settings.TUTOR_INFERENCE_CHANNEL:
            raise CommandError("Set TUTOR_INFERENCE_CHANNEL (the same on the web servers), e.g. tutor-inference.")
        layer = get_channel_layer()
        if not settings.REDIS_URL or layer is None or type(layer).__name__ == "InMemoryChannelLayer":
            raise CommandError("An inference worker needs the Redis that the web servers use: set REDIS_URL.")
        self.stdout.write(f"Inference worker on {settings.TUTOR_INFERENCE_CHANNEL!r}, engine {settings.TUTOR_ENGINE!r}, "
                          f"reclaim after {settings.TUTOR_RECLAIM_S:g} s.")
        warm_up_engine_in_background()
        asyncio.run(_run_until_signalled())


async def _run_until_signalled() -> None:
    worker = InferenceWorker()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, worker.stop)
    await worker.run()
