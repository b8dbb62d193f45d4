import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tutor.settings")
django_http = get_asgi_application()  # sets Django up before the consumers are imported

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from tutor.auth import BearerTokenAuthMiddleware, DatabaseOutageGuard  # noqa: E402
from tutor.routing import websocket_urlpatterns  # noqa: E402
from tutor.warmup import warm_up_engine_in_background  # noqa: E402


def build_application():
    # Static files (the student page's script, admin) are served in-process; a deployment may put a CDN in front.
    return ProtocolTypeRouter(
        {
            "http": ASGIStaticFilesHandler(django_http),
            "websocket": DatabaseOutageGuard(
                AuthMiddlewareStack(BearerTokenAuthMiddleware(URLRouter(websocket_urlpatterns)))
            ),
        }
    )


application = build_application()
warm_up_engine_in_background()
