"""Real check targets on loopback, started by the tests: TCP, HTTP(S) and DNS servers,
a black hole, and test hosts in network namespaces."""

import datetime
import http.server
import json
import queue
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dns.message
import dns.rcode
import dns.rrset
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parent.parent


class Listener:
    """A port that accepts connections (the kernel completes the handshake; nobody reads) until closed."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port = self.sock.getsockname()[1]

    def close(self) -> None:
        self.sock.close()


@contextmanager
def tcp_listener() -> Iterator[int]:
    listener = Listener()
    try:
        yield listener.port
    finally:
        listener.close()


def closed_port() -> int:
    """A loopback port nothing listens on: connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def black_hole() -> Iterator[int]:
    """A loopback port that never answers a SYN: its accept queue is full and never drained."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        fillers = []
        try:
            for _ in range(10):  # bounded: the queue fills after one or two connections
                filler = socket.socket()
                fillers.append(filler)
                filler.settimeout(0.5)
                try:
                    filler.connect(("127.0.0.1", port))
                except TimeoutError:
                    break  # the queue is full: SYNs are now dropped
            else:
                raise RuntimeError("could not fill the accept queue of the black hole")
            yield port
        finally:
            for filler in fillers:
                filler.close()


# --- HTTP(S) ---------------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.split("?")[0] == "/ok":
            self._reply(200, b"<html><body>all systems nominal</body></html>")
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/ok")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path.startswith("/away?"):  # a redirect to wherever ?to= says
            self.send_response(302)
            self.send_header("Location", urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)["to"][0])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/teapot":
            self._reply(418, b"short and stout")
        elif self.path == "/slow":
            self.server.release.wait(10)  # released when the test's server stops
            self._reply(200, b"late")
        else:
            self._reply(404, b"not here")

    def do_HEAD(self):
        self.send_response(200 if self.path == "/ok" else 404)
        self.end_headers()

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextmanager
def http_server(tls: ssl.SSLContext | None = None) -> Iterator[str]:
    """An HTTP (or, with `tls`, HTTPS) server on loopback; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.release = threading.Event()
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    scheme = "https" if tls else "http"
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()


def self_signed_tls(tmp_path: Path, days: int) -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate for 127.0.0.1, valid `days` days."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "netmon-test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


# --- DNS -------------------------------------------------------------------------------


@contextmanager
def dns_server(records: dict[str, list[str]], answer: bool = True) -> Iterator[str]:
    """A UDP DNS server on loopback answering A queries from `records`; yields "127.0.0.1:<port>".

    With answer=False it reads queries and never replies.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.05)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                wire, client = sock.recvfrom(4096)
            except TimeoutError:
                continue
            if not answer:
                continue
            query = dns.message.from_wire(wire)
            response = dns.message.make_response(query)
            question = query.question[0]
            name = question.name.to_text()
            if name in records:
                response.answer.append(dns.rrset.from_text_list(question.name, 60, "IN", "A", records[name]))
            else:
                response.set_rcode(dns.rcode.NXDOMAIN)
            sock.sendto(response.to_wire(), client)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{sock.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        sock.close()


# --- Network namespaces ----------------------------------------------------------------


def can_make_namespaces() -> bool:
    if shutil.which("ip") is None or shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "--net", "true"], capture_output=True).returncode == 0


def netem_available() -> bool:
    """Whether the kernel has tc's netem qdisc (some VM kernels are built without it)."""
    probe = "ip link set lo up && tc qdisc add dev lo root netem delay 1ms"
    return subprocess.run(["unshare", "--net", "sh", "-c", probe], capture_output=True).returncode == 0


def run_in_namespace(setup: str, code: str, timeout: float = 60) -> str:
    """Run shell `setup` then Python `code` in a fresh network namespace (its own loopback); returns stdout.

    The namespace disappears with the process: nothing outside it is touched.
    """
    script = ROOT / ".run" / f"netns-{uuid.uuid4().hex}.py"
    script.parent.mkdir(exist_ok=True)
    script.write_text(code)
    try:
        command = f"ip link set lo up && {setup} && exec {sys.executable} {script}"
        done = subprocess.run(
            ["unshare", "--net", "sh", "-c", command], capture_output=True, text=True, timeout=timeout, cwd=ROOT
        )
    finally:
        script.unlink(missing_ok=True)
    if done.returncode != 0:
        raise RuntimeError(f"namespace run failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


# --- Webhook receiver ------------------------------------------------------------------


class _WebhookHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.put(json.loads(body or b"{}"))
        if self.server.hold_next.is_set():  # this one is held: the sender stays mid-send
            self.server.hold_next.clear()
            self.server.released.wait(60)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@contextmanager
def webhook_receiver(hold_first: bool = False) -> Iterator[tuple[str, queue.Queue]]:
    """A JSON webhook on loopback; yields (Apprise URL, queue of received JSON bodies).

    With `hold_first`, the first request is received but not answered until the block
    ends: its sender can be killed mid-send.
    """
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _WebhookHandler)
    server.received = queue.Queue()
    server.hold_next, server.released = threading.Event(), threading.Event()
    if hold_first:
        server.hold_next.set()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"json://127.0.0.1:{server.server_address[1]}/hook", server.received
    finally:
        server.released.set()
        server.shutdown()
        server.server_close()


@contextmanager
def silent_server(host: str = "127.0.0.1") -> Iterator[tuple[int, list]]:
    """A TCP server that accepts connections and never answers; yields (port, the peers it accepted)."""
    server = socket.create_server((host, 0), backlog=128)
    server.settimeout(0.1)
    accepted, held, stop = [], [], threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, peer = server.accept()
            except TimeoutError:
                continue
            held.append(connection)  # kept open, never read nor answered
            accepted.append(peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        server.close()
