"""Objects kept per event loop go through core.per_loop: no module keeps its own dictionary keyed by loops."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOOP_CALLS = {"get_running_loop", "get_event_loop"}


def _is_weak_key_dictionary(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] == "WeakKeyDictionary"


def _is_loop_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] in LOOP_CALLS


def loop_keyed_dictionaries(source: str) -> list[int]:
    """Lines where a WeakKeyDictionary is declared for event loops or looked up by one."""
    tree = ast.parse(source)
    dictionaries: set[str] = set()  # what a WeakKeyDictionary() is bound to: "_hubs", "self.told"
    loops: set[str] = set()  # names bound to the running loop
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if _is_weak_key_dictionary(node.value):
                dictionaries.update(ast.unparse(target) for target in targets)
                if isinstance(node, ast.AnnAssign) and "AbstractEventLoop" in ast.unparse(node.annotation):
                    found.add(node.lineno)
            elif node.value is not None and _is_loop_call(node.value):
                loops.update(ast.unparse(target) for target in targets)

    def is_loop(key: ast.AST) -> bool:
        return _is_loop_call(key) or ast.unparse(key) in loops

    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            lookups = [(node.value, node.slice)]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            lookups = [(node.func.value, node.args[0])]
        elif isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.In | ast.NotIn):
            lookups = [(node.comparators[0], node.left)]
        else:
            continue
        if any(ast.unparse(mapping) in dictionaries and is_loop(key) for mapping, key in lookups):
            found.add(node.lineno)
    return sorted(found)


def project_modules() -> list[Path]:
    """Every Python module of the project, not of the virtualenv, node_modules, caches or a wheel's build."""
    skipped = {"node_modules", "__pycache__", "build"}  # build/: the wheel tests' copies of the sources
    return [
        path
        for path in ROOT.rglob("*.py")
        if not any(part.startswith(".") or part in skipped for part in path.relative_to(ROOT).parts)
    ]


# What the scan must find, and what it must leave alone, so that a pass means something.
HAND_ROLLED = """
import asyncio, weakref
_declared: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, int]" = weakref.WeakKeyDictionary()
_x = weakref.WeakKeyDictionary()
def a():
    return _x.setdefault(asyncio.get_running_loop(), {})
def b():
    loop = asyncio.get_running_loop()
    if loop not in _x:
        _x[loop] = 1
"""
KEYED_BY_SOCKETS = """
import asyncio, weakref
class Link:
    def __init__(self):
        self.told = weakref.WeakKeyDictionary()
    def add(self, socket):
        loop = asyncio.get_running_loop()
        self.told[socket] = loop.time()
"""


def test_no_module_keeps_its_own_dictionary_of_event_loops():
    assert loop_keyed_dictionaries(HAND_ROLLED) == [3, 6, 9, 10]
    assert loop_keyed_dictionaries(KEYED_BY_SOCKETS) == []
    modules = project_modules()
    scanned = {str(path.relative_to(ROOT)) for path in modules}
    assert {"netmon_probe/per_loop.py", "chat/outbox.py", "netmon_probe/checks/icmp.py",
            "tests/core/test_per_loop.py"} <= scanned  # fmt: skip

    offenders = {
        str(path.relative_to(ROOT)): lines
        for path in modules
        if path != ROOT / "netmon_probe" / "per_loop.py" and (lines := loop_keyed_dictionaries(path.read_text()))
    }
    assert offenders == {}, f"keep per-loop objects with core.per_loop.per_loop instead: {offenders}"
