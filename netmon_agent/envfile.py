"""Settings from an environment file, as systemd's EnvironmentFile= reads it.

Secrets (the Redis URL holds the agent's password) belong in the environment or in such
a file, readable by the agent alone, never on a command line, which every local user
can read (`ps`, /proc/<pid>/cmdline).
"""

from pathlib import Path


def read(path: str) -> dict[str, str]:
    """`KEY=VALUE` lines; blank lines and `#` comments are skipped, one pair of quotes is removed."""
    values = {}
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, equals, value = line.partition("=")
        if not equals or not key.strip():
            raise ValueError(f"{path}, line {number}: not KEY=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def write(path: str, values: dict[str, str]) -> None:
    """The file made readable by its owner alone before anything is written to it."""
    file = Path(path)
    file.touch(mode=0o600)
    file.chmod(0o600)  # also when it was there before, with wider rights
    file.write_text("".join(f"{key}={value}\n" for key, value in values.items()))
