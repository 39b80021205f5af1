"""`make run`'s console (scripts/run_summary.py): real honcho, a Procfile of two chatty processes.

The console must show one line per process and the address last; what the processes print
goes to their log files instead.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.servers import free_port
from tests.waits import EVENT_TIMEOUT_S

SCRIPT = Path(__file__).resolve().parent.parent.parent / "scripts" / "run_summary.py"
BANNER = "a Celery-like banner line"


def test_console_shows_one_line_per_process_and_the_address_last(tmp_path):
    port = free_port()
    chatty = f"import time; [print('{BANNER}', i) for i in range(300)]; time.sleep({EVENT_TIMEOUT_S * 3})"
    (tmp_path / "Procfile").write_text(
        f'web: {sys.executable} -m http.server $PORT --bind 127.0.0.1\nchatty: {sys.executable} -c "{chatty}"\n'
    )
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    honcho = subprocess.Popen(
        [sys.executable, "-m", "honcho", "start", "-f", "Procfile", "-p", str(port)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=environment,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    summary = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--url", url, "--note", "create the first administrator at /setup/",
         "--logs", str(tmp_path / "logs"), "--timeout", str(EVENT_TIMEOUT_S)],
        stdin=honcho.stdout, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    honcho.stdout.close()
    try:
        shown = []
        for line in summary.stdout:  # ends when the summary does: bounded by its --timeout
            shown.append(line.rstrip("\n"))
            if line.startswith("(Ctrl-C"):
                break
        assert any(f"NetWorkMonitor is up at {url}" == line for line in shown), shown
        started = [line for line in shown if " started " in line]
        assert sorted(line.split()[0] for line in started) == ["chatty", "web"], shown
        # The address and its note come after every process's line.
        assert shown.index(f"NetWorkMonitor is up at {url}") > max(shown.index(line) for line in started)
        assert shown[-2] == "create the first administrator at /setup/"
        assert not any(BANNER in line for line in shown)
        assert len(shown) < 10, shown
    finally:
        honcho.send_signal(signal.SIGTERM)
        honcho.wait(timeout=EVENT_TIMEOUT_S)
        ending, _ = summary.communicate(timeout=EVENT_TIMEOUT_S)
    # Stopping says so once and counts the processes, rather than a line per signal and per end.
    assert ending.splitlines() == ["stopping every process", "2 processes stopped"], ending
    chatty_log = (tmp_path / "logs" / "chatty.log").read_text()
    assert chatty_log.count(BANNER) == 300
