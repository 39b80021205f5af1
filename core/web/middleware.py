"""Request and response filters: requests no database can store or search are refused before
any view runs; responses are compressed where that is safe."""

from django.http import HttpResponseBadRequest
from django.middleware.gzip import GZipMiddleware


class RefuseNulCharacters:
    """A NUL character in the path or the query string is a 400.

    PostgreSQL cannot hold or compare text with NUL in it: a filter such as
    `?q=%00` would otherwise reach the database and fail there as a 500.
    Form fields and API fields refuse NUL themselves (ProhibitNullCharactersValidator).
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or "\x00" in "".join(values) for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest("NUL characters are not accepted in a URL.", content_type="text/plain")
        return self.get_response(request)


class CompressUnlessSecret(GZipMiddleware):
    """Gzip every response that can be compressed, except those marked `no-store`.

    Compression can leak a secret that shares a response with text an attacker chooses
    (BREACH). Django masks its CSRF token anew in every response against that; the only
    other secrets a page carries are the one-time ones (a new API token, a new agent's
    URL), and those responses are `no-store`, as are the downloads (already streamed).
    """

    def process_response(self, request, response):
        if "no-store" in response.get("Cache-Control", ""):
            return response
        return super().process_response(request, response)
