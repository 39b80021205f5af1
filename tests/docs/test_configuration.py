"""Every environment variable the code reads is documented in docs/configuration.md.

The readers are found in the sources themselves: settings' helpers (`env_int("X")`…),
the agent's `env("X")`, `os.environ[...]`, `os.environ.get/setdefault`, `os.getenv`,
and `$X` / `${X…}` in the shell scripts. A variable added to the code without a line on
the page fails here, named.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "configuration.md"
PYTHON_SOURCES = [
    "NetWorkMonitor/*.py",
    "celery_app.py",
    "manage.py",
    "scripts/*.py",
    "netmon_agent/**/*.py",
    "*/management/commands/*.py",
]
SHELL_SOURCES = ["scripts/*.sh"]
# Functions whose first argument names an environment variable: getenv, and every reader
# settings' helper module defines (a new one is covered with no edit here).
READERS = {"env", "getenv"} | set(re.findall(r"^def (env_\w+)\(", (ROOT / "NetWorkMonitor/env.py").read_text(), re.M))
ENVIRON_METHODS = {"get", "setdefault", "pop"}
# The shell's own variables, not the product's configuration.
SHELL_OWN = {"PATH", "PWD", "BASH_SOURCE", "HOME"}
SHELL_VARIABLE = re.compile(r"\$\{?([A-Z_][A-Z0-9_]*)")


def _is_environ(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def _name_pattern(node: ast.AST) -> str | None:
    """The variable's name as a regex: literal, or with `.+` for an f-string's fields."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value)
    if isinstance(node, ast.JoinedStr):
        return "".join(re.escape(v.value) if isinstance(v, ast.Constant) else "[A-Z0-9_]+" for v in node.values)
    return None


def _first_argument_of_reader(node: ast.Call) -> ast.AST | None:
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    if not node.args:
        return None
    if name in READERS:
        return node.args[0]
    if isinstance(func, ast.Attribute) and name in ENVIRON_METHODS and _is_environ(func.value):
        return node.args[0]
    return None


def python_variables(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        argument = None
        if isinstance(node, ast.Call):
            argument = _first_argument_of_reader(node)
        elif isinstance(node, ast.Subscript) and _is_environ(node.value):
            argument = node.slice
        pattern = _name_pattern(argument) if argument is not None else None
        if pattern and re.fullmatch(r"[A-Z0-9_\\\[\]+-]+", pattern):
            found.add(pattern)
    return found


def shell_variables(path: Path) -> set[str]:
    return {re.escape(name) for name in SHELL_VARIABLE.findall(path.read_text())} - {re.escape(n) for n in SHELL_OWN}


def variables_read() -> dict[str, set[str]]:
    """Pattern of each variable -> the files that read it."""
    read: dict[str, set[str]] = {}
    for sources, finder in ((PYTHON_SOURCES, python_variables), (SHELL_SOURCES, shell_variables)):
        for glob in sources:
            for path in ROOT.glob(glob):
                for pattern in finder(path):
                    read.setdefault(pattern, set()).add(str(path.relative_to(ROOT)))
    return read


def documented_names() -> set[str]:
    return set(re.findall(r"`([A-Z][A-Z0-9_]*)`", PAGE.read_text()))


def test_it_finds_the_variables_of_each_kind_of_reader():
    read = variables_read()
    # One of each reader, so a change in how the code reads the environment cannot empty the check.
    for name in ("SECRET_KEY", "DEBUG", "WEB_CONCURRENCY", "SAMPLE_INTERVAL", "ALLOWED_HOSTS", "DATABASE_URL"):
        assert re.escape(name) in read, name  # settings' helpers
    assert "HOST_PROC" in read  # the agent's env()
    assert "NETMON_ADMIN_PASSWORD" in read  # os.environ.get in a manage.py command
    assert "POSTGRES_TEST_URL" in read  # a shell script
    assert "HISTORY_[A-Z0-9_]+_MAX_MB" in read  # an f-string name


def test_every_variable_the_code_reads_is_on_the_configuration_page():
    names = documented_names()
    missing = {
        pattern: sorted(files)
        for pattern, files in variables_read().items()
        if not any(re.fullmatch(pattern, name) for name in names)
    }
    assert not missing, f"docs/configuration.md lacks these environment variables (read by): {missing}"
