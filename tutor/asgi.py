import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tutor.settings")
django_http = get_asgi_application()  # sets Django up before the consumers are imported

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from tutor.auth import BearerTokenAuthMiddleware  # noqa: E402
from tutor.routing import websocket_urlpatterns  # noqa: E402


def build_application():
    # Static files (the student page's script, admin) are served in-process; a deployment may put a CDN in front.
    return ProtocolTypeRouter(
        {
            "http": ASGIStaticFilesHandler(django_http),
            "websocket": AuthMiddlewareStack(BearerTokenAuthMiddleware(URLRouter(websocket_urlpatterns))),
        }
    )


def warm_up_engine_in_background() -> None:
    """Load the model on a thread at start-up, so the first student does not wait for it."""
    import logging
    import threading

    from django.conf import settings

    from tutor.engine import get_engine

    def load() -> None:
        try:
            getattr(get_engine(), "start", lambda: None)()
        except Exception:  # the first question will report it as a clear error frame
            logging.getLogger(__name__).exception("engine warm-up failed")

    if settings.TUTOR_WARMUP:
        threading.Thread(target=load, name="engine-warmup", daemon=True).start()


application = build_application()
warm_up_engine_in_background()
