"""A real OpenID provider in a process of its own (node, tests/oidc/provider.mjs), on a free loopback port."""

import json
import shutil
from contextlib import contextmanager
from pathlib import Path

from tests.processes import logged, running
from tests.servers import free_port

SCRIPT = Path(__file__).parent / "oidc" / "provider.mjs"
CLIENT_ID, CLIENT_SECRET = "networkmonitor", "a client secret for the tests"


@contextmanager
def oidc_provider(redirect_uri: str, accounts: dict[str, dict]):
    """The provider's issuer URL; `accounts`: login name -> claims."""
    port = free_port()
    env = {
        "PORT": str(port),
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URI": redirect_uri,
        "ACCOUNTS": json.dumps(accounts),
    }
    with running([shutil.which("node") or "node", str(SCRIPT)], logged("oidc provider listening"), **env):
        yield f"http://127.0.0.1:{port}"
