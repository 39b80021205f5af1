"""Requests that no database can store or search: refused before any view runs."""

from django.http import HttpResponseBadRequest


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
