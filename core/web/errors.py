"""Server errors that say what is wrong: a database that does not answer is a 503, not a bare 500."""

import sys

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext
from django.views import defaults

from core.web.health import DATABASE_DOWN

RETRY_AFTER_S = 30


def server_error(request) -> HttpResponse:
    """Django's 500 handler, called while the exception is being handled."""
    if not isinstance(sys.exception(), DATABASE_DOWN):
        return defaults.server_error(request)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": gettext("The database is unavailable; try again shortly.")}, status=503)
    else:
        # Rendered without the request: its context processors (the user, their language) need the database.
        response = HttpResponse(loader.render_to_string("database_unavailable.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_S)
    return response
