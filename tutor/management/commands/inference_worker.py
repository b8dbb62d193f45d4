"""Run an inference worker: `manage.py inference_worker` (the channel is settings.TUTOR_INFERENCE_CHANNEL)."""
import asyncio
import logging

from channels.layers import get_channel_layer
from channels.routing import get_default_application
from channels.worker import Worker
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

logger = logging.getLogger(__name__)
MAX_BACKOFF_S = 5.0


class ResilientWorker(Worker):
    """Channels' worker, except that a channel layer that stops answering (Redis restarting) is waited for,
    with back-off, instead of ending the process."""

    async def listener(self, channel):
        backoff = 0.1
        while True:
            try:
                message = await self.channel_layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("channel layer unavailable (%r); retrying in %.1f s", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(MAX_BACKOFF_S, backoff * 2)
                continue
            backoff = 0.1
            if not message.get("type"):
                logger.warning("dropped a message with no type on %s", channel)
                continue
            queue = self.get_or_create_application_instance(channel, {"type": "channel", "channel": channel})
            await queue.put(message)


class Command(BaseCommand):
    help = "Generate the tutor's answers for the web servers (they hand them over on TUTOR_INFERENCE_CHANNEL)."

    def handle(self, *args, **options):
        channel = settings.TUTOR_INFERENCE_CHANNEL
        if not channel:
            raise CommandError("Set TUTOR_INFERENCE_CHANNEL (the same on the web servers), e.g. tutor-inference.")
        layer = get_channel_layer()
        if layer is None or type(layer).__name__ == "InMemoryChannelLayer":
            raise CommandError("An inference worker needs a channel layer shared with the web servers: set REDIS_URL.")
        self.stdout.write(f"Inference worker on channel {channel!r}, engine {settings.TUTOR_ENGINE!r}.")
        ResilientWorker(application=get_default_application(), channels=[channel], channel_layer=layer).run()
