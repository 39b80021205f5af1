"""`make bench-busy`: does the test suite pass when every core is busy with something else?

Keeps BENCH_BURNERS processes spinning (default: one per core) while it runs the suite,
as `make test` does (scripts/test.sh: lint, SQLite, then PostgreSQL), BENCH_RUNS times
(default 3) in a clean clone of the current commit. Each run's outcome, test counts,
duration and load average go to bench/results/busy_machine.json, its output beside it.

    BENCH_RUNS=1 BENCH_TEST_ARGS="tests/core -x" make bench-busy   # a quick try on a subset
    python bench/busy_machine.py --burn-only                        # only the load, to run tests under it

The burners stop when the benchmark ends, however it ends: they are terminated in a
`finally`, and each also exits by itself once its parent is gone or BENCH_BURN_SECONDS
(default 7200) have passed, so a killed benchmark cannot leave the cores spinning.
"""

import json
import multiprocessing
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
# "12 passed, 1 skipped, 2 deselected in 3.45s": the last line of a pytest run.
SUMMARY = re.compile(r"^=*\s*(\d+ \w+.*) in [\d.]+s")
COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|deselected|xfailed|xpassed)")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        sys.exit(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


def burn(parent: int, seconds: float) -> None:
    """Spin one core until the parent is gone or `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while os.getppid() == parent and time.monotonic() < deadline:
        for _ in range(100_000):  # about 5 ms of pure Python between two checks
            pass


@contextmanager
def burners(count: int, seconds: float):
    processes = [
        multiprocessing.Process(target=burn, args=(os.getpid(), seconds), name=f"burner-{n}", daemon=True)
        for n in range(count)
    ]
    for process in processes:
        process.start()
    try:
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.join()


def shared_sibling() -> Path | None:
    """The design notes beside the checkout (../shared), which a clone needs beside it too."""
    given = os.environ.get("BENCH_SHARED_DIR")
    candidate = Path(given) if given else ROOT.parent / "shared"
    return candidate if candidate.is_dir() else None


def clean_clone(workdir: Path) -> Path:
    """The current commit, cloned: nothing uncommitted and nothing ignored (.run, caches) comes along."""
    commit = git("rev-parse", "HEAD")
    clone = workdir / ROOT.name
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", commit], check=True)
    # The same interpreter and packages as this checkout: installing them again would measure pip.
    (clone / ".venv").symlink_to((ROOT / ".venv").resolve())
    shared = shared_sibling()
    if shared:
        shutil.copytree(shared, workdir / "shared", symlinks=True)
    return clone


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout.strip()


def counts(output: str) -> list[dict]:
    """The counts of each pytest pass in `output` (scripts/test.sh runs two: SQLite, PostgreSQL)."""
    passes = []
    for line in output.splitlines():
        summary = SUMMARY.match(line.strip())
        if summary:
            passes.append({kind: int(n) for n, kind in COUNT.findall(summary.group(1))})
    return passes


def failures(output: str) -> list[str]:
    """The short test summary's FAILED and ERROR lines (pytest -ra)."""
    return [line for line in output.splitlines() if line.startswith(("FAILED ", "ERROR "))]


def run_suite(clone: Path, number: int, test_args: list[str]) -> dict:
    log = RESULTS / f"busy_machine-run-{number}.log"
    env = {
        **os.environ,
        # Keys, queues and the PostgreSQL test database of the benchmark's own, apart from other runs'.
        "REDIS_PREFIX": os.environ.get("BENCH_REDIS_PREFIX", "netmon-bench-busy"),
        "POSTGRES_TEST_URL": os.environ.get(
            "POSTGRES_TEST_URL", "postgres://postgres@127.0.0.1:5432/netmon_bench_busy"
        ),
    }
    env.pop("DATABASE_URL", None)
    started = time.monotonic()
    with log.open("w") as out:
        done = subprocess.run(["scripts/test.sh", *test_args], cwd=clone, env=env, stdout=out, stderr=subprocess.STDOUT)
    output = log.read_text()
    return {
        "run": number,
        "passed": done.returncode == 0,
        "returncode": done.returncode,
        "duration_s": round(time.monotonic() - started, 1),
        "load_average_after": os.getloadavg(),
        "pytest_passes": counts(output),
        "failures": failures(output),
        "log": str(log.relative_to(ROOT)),
    }


def facts(runs: int, burner_count: int, test_args: list[str]) -> dict:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}",
        "commit": git("rev-parse", "--short", "HEAD"),
        "runs": runs,
        "burners": burner_count,
        "test_args": test_args,
        "load_average_before": os.getloadavg(),
    }


def summary_line(run: dict) -> str:
    passes = " / ".join(", ".join(f"{n} {kind}" for kind, n in p.items()) for p in run["pytest_passes"]) or "no counts"
    outcome = "PASS" if run["passed"] else f"FAIL (exit {run['returncode']})"
    return f"run {run['run']}: {outcome} in {run['duration_s']} s, load {run['load_average_after'][0]:.1f}: {passes}"


def benchmark() -> dict:
    runs = env_int("BENCH_RUNS", 3)
    burner_count = env_int("BENCH_BURNERS", os.cpu_count() or 2)
    test_args = shlex.split(os.environ.get("BENCH_TEST_ARGS", ""))
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = facts(runs, burner_count, test_args)
    with tempfile.TemporaryDirectory(prefix="netmon-busy-") as workdir:
        clone = clean_clone(Path(workdir))
        print(f"{runs} run(s) of scripts/test.sh {' '.join(test_args)} in {clone}, {burner_count} burner(s)")
        with burners(burner_count, env_int("BENCH_BURN_SECONDS", 7200)):
            result["results"] = []
            for number in range(1, runs + 1):
                result["results"].append(run_suite(clone, number, test_args))
                print(summary_line(result["results"][-1]), flush=True)
    result["all_passed"] = all(run["passed"] for run in result["results"])
    return result


def burn_only() -> None:
    seconds = env_int("BENCH_BURN_SECONDS", 1800)
    count = env_int("BENCH_BURNERS", os.cpu_count() or 2)
    print(f"{count} burner(s) for at most {seconds} s; Ctrl-C stops them", flush=True)
    with burners(count, seconds), suppress(KeyboardInterrupt):
        time.sleep(seconds)


def main() -> None:
    # A plain `kill` ends the run through the same `finally` that stops the burners.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if "--burn-only" in sys.argv[1:]:
        burn_only()
        return
    result = benchmark()
    (RESULTS / "busy_machine.json").write_text(json.dumps(result, indent=2) + "\n")
    verdict = "all" if result["all_passed"] else "NOT all"
    print(f"{verdict} {result['runs']} run(s) passed; details in bench/results/busy_machine.json")
    sys.exit(0 if result["all_passed"] else 1)


if __name__ == "__main__":
    main()
