"""What an operator copies to install a probe: its environment file, a systemd unit, a compose service."""

from django.conf import settings

ENV_FILE = "/etc/netmon-probe.env"
UNIT = "deploy/systemd/netmon-probe.service"


def compose_service(name: str) -> str:
    return (
        "services:\n"
        f"  probe-{name}:\n"
        "    image: python:3.11-slim\n"
        '    command: sh -c "pip install --no-cache-dir /wheels/networkmonitor-*.whl && exec netmon-probe"\n'
        "    env_file: netmon-probe.env\n"
        "    environment:\n"
        # Where systemd would keep its buffer: results wait there while the centre is unreachable.
        "      STATE_DIRECTORY: /var/lib/netmon-probe\n"
        "    volumes:\n"
        "      - ./dist:/wheels:ro\n"
        "      - probe-buffer:/var/lib/netmon-probe\n"
        "    cap_add: [NET_RAW]\n"
        "    restart: unless-stopped\n"
        "volumes:\n"
        "  probe-buffer: {}\n"
    )


def instructions(made) -> str:
    """Shown once, when the probe is added: the secrets in it are never shown again."""
    return (
        f"Probe {made.name!r} added. Its Redis URL (its password, from which its key is derived) is shown this once;"
        " keep it secret.\n"
        f"On the probe's host, make {ENV_FILE} readable by root alone:\n"
        f"  install -m 600 /dev/null {ENV_FILE}\n"
        "and write these lines into it:\n\n"
        f"{made.environment_file()}\n"
        f"Then run the probe as a systemd service that reads it ({UNIT}):\n\n"
        f"{(settings.BASE_DIR / UNIT).read_text()}\n"
        "Or as a compose service (the environment file beside it as netmon-probe.env):\n\n"
        f"{compose_service(made.name)}"
    )
