"""HTTP(S) check: status, optional keyword, latency, and the certificate's days left.

Its network side is netmon_probe.checks.http, which the probes run too.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from core.security import destinations
from core.security.redaction import redact_url
from monitor.addresses import validate_destination
from monitor.checks.base import CheckKind, CheckSpec, Outcome
from monitor.checks.settings import Setting
from netmon_probe.checks import http


class Http(CheckKind):
    name = "http"
    label = "HTTP(S)"
    settings = (
        Setting("url", str, "", label="URL", max_length=2000),
        Setting("http_method", str, "GET", label="method", required=True,
                choices=(("GET", "GET"), ("HEAD", "HEAD"), ("POST", "POST"))),
        Setting("expected_status", int, None, minimum=100, maximum=599,
                range_message="An HTTP status is from 100 to 599.", help_text="Empty: any 2xx or 3xx status is UP."),
        Setting("keyword", str, "", help_text="Text the body must contain (first 1 MiB)."),
        Setting("follow_redirects", bool, True, required=True),
        Setting("verify_tls", bool, True, label="verify TLS certificate", required=True,
                help_text="Off: self-signed certificates are accepted."),
    )  # fmt: skip
    admin_rows = ("url", ("http_method", "expected_status"), "keyword", ("follow_redirects", "verify_tls"))
    csv_syntax = "http:<url>"

    async def run(self, spec: CheckSpec) -> Outcome:
        return await http.run(spec, destinations.refusal)

    def describe(self, check) -> str:
        return f"http {check.http_method} {redact_url(check.url)}"

    def validate(self, check) -> dict[str, str]:
        if not check.url:
            return {"url": "An HTTP check needs a URL."}
        if message := url_problem(check.url):
            return {"url": message}
        return {}

    def from_csv(self, argument: str, check) -> None:
        if not argument:
            raise ValueError(f"write it as {self.csv_syntax}")
        check.url = argument


KIND = Http()


def url_problem(url: str) -> str | None:
    """Why `url` cannot be checked, or None when it can."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return "The URL must start with http:// or https://."
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return f"“{redact_url(url)[:100]}” is not a valid URL."
    try:
        validate_destination((urlsplit(url).hostname or "").strip("[]"))
    except ValidationError as error:
        return error.messages[0]
    return None
