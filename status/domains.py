"""A status page with a domain of its own answers at that domain's root.

The domain must also be in ALLOWED_HOSTS (Django refuses any other Host header). The
page's other paths (its document, badges, logo, socket) are the same on every domain.
"""

import time

from django.http import HttpRequest

from status import views
from status.models import StatusPage

REFRESH_S = 30  # domains are edited rarely; a new one answers within this long


class StatusDomainMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.slugs: dict[str, str] = {}
        self.loaded_at = float("-inf")

    def __call__(self, request: HttpRequest):
        if request.path == "/" and (slug := self.slug_for(request.get_host())):
            return views.status_page(request, slug)
        return self.get_response(request)

    def slug_for(self, host: str) -> str | None:
        if time.monotonic() - self.loaded_at > REFRESH_S:
            self.slugs = dict(StatusPage.objects.exclude(domain=None).values_list("domain", "slug"))
            self.loaded_at = time.monotonic()
        return self.slugs.get(host.rsplit(":", 1)[0].lower()) if self.slugs else None
