import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tutor.settings")
django_http = get_asgi_application()  # sets Django up before the consumers are imported

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ChannelNameRouter, ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from tutor.auth import BearerTokenAuthMiddleware, DatabaseOutageGuard  # noqa: E402
from tutor.inference import InferenceConsumer  # noqa: E402
from tutor.routing import websocket_urlpatterns  # noqa: E402


def build_application():
    # Static files (the student page's script, admin) are served in-process; a deployment may put a CDN in front.
    # "channel" is the inference worker's side (`manage.py inference_worker`).
    return ProtocolTypeRouter(
        {
            "http": ASGIStaticFilesHandler(django_http),
            "websocket": DatabaseOutageGuard(
                AuthMiddlewareStack(BearerTokenAuthMiddleware(URLRouter(websocket_urlpatterns)))
            ),
            "channel": ChannelNameRouter(
                {settings.TUTOR_INFERENCE_CHANNEL or "tutor-inference": InferenceConsumer.as_asgi()}
            ),
        }
    )


def warm_up_engine_in_background() -> None:
    """Load the model and the courses' passage indexes on a thread at start-up, so no student waits for them."""
    import logging
    import threading

    from django.conf import settings

    from learning.passage_search import passage_indexes_warm
    from tutor.engine import get_engine

    def load() -> None:
        try:
            getattr(get_engine(), "start", lambda: None)()
        except Exception:  # the first question will report it as a clear error frame
            logging.getLogger(__name__).exception("engine warm-up failed")
        try:
            passage_indexes_warm()
        except Exception:  # the first question of each course builds its index instead
            logging.getLogger(__name__).exception("passage index warm-up failed")

    if settings.TUTOR_WARMUP:
        threading.Thread(target=load, name="engine-warmup", daemon=True).start()


application = build_application()
warm_up_engine_in_background()
