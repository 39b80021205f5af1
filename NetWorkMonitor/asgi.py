"""ASGI entry point: Django for HTTP, authenticated Channels consumers for WebSocket."""

import gc
import os

import autobahn.util
import autobahn.websocket.protocol
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "NetWorkMonitor.settings")
# Django must be set up before anything that imports models (the consumers).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from core.sockets import eager_writes  # noqa: E402
from core.sockets.socket_auth import with_session_user  # noqa: E402
from core.sockets.socket_origin import SameOriginValidator  # noqa: E402
from NetWorkMonitor.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginValidator(with_session_user(URLRouter(websocket_urlpatterns))),
    }
)

# autobahn, daphne's WebSocket layer, builds a debug line for every frame it sends and
# every socket it opens whatever the log level, and the lines are never shown: each
# frame's coloured by click (which Celery installs), each socket's 40 options laid out
# by pprint. Measured with py-spy in a web process writing a frame a second to 1,000
# dashboards, the colouring was 5-6 % of its time; pprint was 6 % of a storm of
# handshakes. Plain text is what autobahn writes where click is missing.
autobahn.util._HAS_CLICK = False
autobahn.websocket.protocol.pformat = repr
# Twisted keeps every write until the next turn of its loop: sent at once instead (see there).
eager_writes.install()

# Everything loaded so far lives as long as the process: out of the garbage collector's
# sight, a full collection scans what requests allocate only (on a history benchmark's
# process, 87 ms for 145,000 objects before, a few ms after).
gc.freeze()
