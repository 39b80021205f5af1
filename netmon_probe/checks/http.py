"""HTTP(S): status, optional keyword, latency, and the certificate's days left.

Framework-free, run by the probes and by the centre's checks workers alike, each under
its own destination policy (`refusal`).
"""

import datetime
import functools
import socket
import ssl
import time

import httpcore
import httpx
from cryptography import x509

from netmon_probe.checks.core import (
    CheckFailed,
    CheckSpec,
    Outcome,
    Refusal,
    describe_os_error,
    elapsed_ms,
    resolve,
)
from netmon_probe.redaction import redact_text, redact_url

MAX_BODY_BYTES = 1 << 20  # a keyword is looked for in the first MiB only
MAX_REDIRECTS = 5
USER_AGENT = "NetWorkMonitor-check/1"


@functools.cache
def tls_context(verify: bool) -> ssl.SSLContext:
    # Built once per process: loading the CA bundle costs milliseconds per check otherwise.
    if verify:
        return ssl.create_default_context()
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class PolicyBackend(httpcore.AsyncNetworkBackend):
    """Connects only to addresses the destination policy (`refusal`) lets through.

    The name is resolved here and the connection made to the address that was
    checked, for the first request and every redirect: a name that resolves to a
    metadata address, or changes its answer between check and connect, gets nowhere.
    """

    def __init__(self, refusal: Refusal) -> None:
        self.backend = httpcore.AnyIOBackend()
        self.refusal = refusal

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        _, ip = await resolve(host, port, socket.AF_UNSPEC, self.refusal)  # CheckFailed for a denied address
        return await self.backend.connect_tcp(ip, port, timeout, local_address, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self.backend.sleep(seconds)


class PolicyTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over PolicyBackend (TLS still verifies the name in the URL)."""

    def __init__(self, ssl_context: ssl.SSLContext, refusal: Refusal) -> None:
        super().__init__(verify=ssl_context)
        self._pool = httpcore.AsyncConnectionPool(ssl_context=ssl_context, network_backend=PolicyBackend(refusal))


async def run(spec: CheckSpec, refusal: Refusal) -> Outcome:
    return await fetch(spec, refusal, **spec.options)


async def fetch(
    spec: CheckSpec,
    refusal: Refusal,
    url: str,
    http_method: str = "GET",
    expected_status: int | None = None,
    keyword: str = "",
    follow_redirects: bool = True,
    verify_tls: bool = True,
) -> Outcome:
    details: dict = {}
    # One client per run: a pooled connection would hide the handshake from the latency.
    async with httpx.AsyncClient(
        transport=PolicyTransport(tls_context(verify_tls), refusal),
        follow_redirects=follow_redirects,
        max_redirects=MAX_REDIRECTS,
        timeout=spec.timeout_s,
        headers={"User-Agent": USER_AGENT},
        trust_env=False,
    ) as client:
        started = time.perf_counter()
        try:
            async with client.stream(http_method, url) as response:
                details["status"] = response.status_code
                if response.history:
                    details["redirects"] = len(response.history)
                    details["final_url"] = redact_url(str(response.url))[:500]
                if (days := certificate_days_left(response)) is not None:
                    details["cert_days_left"] = days
                body_matches = await _body_contains(response, keyword) if keyword else None
                latency = elapsed_ms(started)
        except httpx.TooManyRedirects:
            raise CheckFailed(f"more than {MAX_REDIRECTS} redirects") from None
        except httpx.HTTPError as exc:
            raise CheckFailed(describe_http_error(exc)) from None

    outcome = Outcome(latency_ms=latency, details=details)
    outcome.error = status_problem(response.status_code, expected_status)
    if not outcome.error and body_matches is False:
        outcome.error = f"keyword {keyword[:50]!r} not found in the response body"
    return outcome


def status_problem(status: int, expected: int | None) -> str:
    if expected is not None:
        return "" if status == expected else f"HTTP {status}, expected {expected}"
    return "" if 200 <= status < 400 else f"HTTP {status}"


async def _body_contains(response: httpx.Response, keyword: str) -> bool:
    needle = keyword.encode()
    seen = b""
    async for chunk in response.aiter_raw():
        # Keep enough of the previous chunk that a keyword split across two is found.
        seen = seen[-len(needle) :] + chunk if seen else chunk
        if needle in seen:
            return True
        if response.num_bytes_downloaded >= MAX_BODY_BYTES:
            return False
    return False


def certificate_days_left(response: httpx.Response) -> int | None:
    """Whole days until the server certificate expires (negative once it has), None over plain HTTP."""
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    if ssl_object is None:
        return None
    # The binary form is there even when verification is off; the parsed dict is not.
    der = ssl_object.getpeercert(binary_form=True)
    if not der:
        return None
    expires = x509.load_der_x509_certificate(der).not_valid_after_utc
    return (expires - datetime.datetime.now(datetime.UTC)).days


def describe_http_error(exc: httpx.HTTPError) -> str:
    """The most telling reason in the exception chain: TLS, then the socket error, then httpx's own."""
    chain = []
    cause: BaseException | None = exc
    while cause is not None and len(chain) < 10:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    for cause in chain:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS: {cause.verify_message}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS: {cause.reason or cause}"
    for cause in reversed(chain):
        if isinstance(cause, OSError) and cause.errno:
            return describe_os_error(cause)
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    return redact_text(f"{type(exc).__name__}: {exc}")[:500]
