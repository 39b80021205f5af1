"""`make run`'s console: honcho's output in, one line per process and the address last out.

honcho (with the Procfile) still starts and stops the processes; this reads what it prints,
writes each process's lines to .run/logs/<name>.log and shows only the start and the end
of each process, then the address to open once the web process answers. Without it, three
Celery banners and every process's start-up log bury the address.

    honcho start -f Procfile | python scripts/run_summary.py --url http://127.0.0.1:8000/
"""

import argparse
import re
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

# honcho 2's lines: "20:30:01 web.1    | text" and "20:30:01 system   | web.1 started (pid=123)".
LINE = re.compile(r"^\d\d:\d\d:\d\d (?P<name>\S+?)(?:\.\d+)?\s+\| ?(?P<text>.*)$")
STARTED = re.compile(r"^(?P<name>\S+?)(?:\.\d+)? started \(pid=(?P<pid>\d+)\)")
STOPPED = re.compile(r"^(?P<name>\S+?)(?:\.\d+)? stopped \((?P<why>.*)\)")


def answers(url: str) -> bool:
    """Whether something accepts connections at the url's host and port."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 80), timeout=1):
            return True
    except OSError:
        return False


class Summary:
    """Routes honcho's lines into log files and prints the few worth seeing."""

    def __init__(self, logs: Path, url: str, note: str = "", out=sys.stdout) -> None:
        self.logs = logs
        self.url = url
        self.note = note
        self.out = out
        self.files: dict[str, object] = {}
        self.lock = threading.Lock()
        self.address_shown = False
        self.stopping = False
        self.stopped_quietly = 0
        logs.mkdir(parents=True, exist_ok=True)

    def say(self, text: str) -> None:
        with self.lock:
            print(text, file=self.out, flush=True)

    def log(self, name: str, text: str) -> None:
        if name not in self.files:
            self.files[name] = (self.logs / f"{name}.log").open("a", encoding="utf-8")
        self.files[name].write(text + "\n")
        self.files[name].flush()

    def feed(self, line: str) -> None:
        line = line.rstrip("\n")
        match = LINE.match(line)
        if not match:
            # Not honcho's format (a traceback of honcho itself?): shown rather than lost.
            self.say(line)
            return
        name, text = match["name"], match["text"]
        if name != "system":
            self.log(name, text)
            return
        self.log("honcho", text)
        if started := STARTED.match(text):
            self.say(f"  {started['name']:<14} started  (pid {started['pid']}, log .run/logs/{started['name']}.log)")
        elif stopped := STOPPED.match(text):
            # Once honcho stops them all, an end on its signal is expected: counted, not listed.
            if self.stopping and stopped["why"] in ("rc=0", "rc=-15"):
                self.stopped_quietly += 1
                return
            self.say(f"  {stopped['name']:<14} stopped  ({stopped['why']}; see .run/logs/{stopped['name']}.log)")
        elif "sending SIGKILL" in text:
            self.say(f"  {text}")
        elif "sending SIGTERM" in text and not self.stopping:
            self.stopping = True
            self.say("stopping every process")

    def finish(self) -> None:
        if self.stopped_quietly:
            self.say(f"{self.stopped_quietly} processes stopped")

    def show_address(self) -> None:
        if self.address_shown:
            return
        self.address_shown = True
        self.say("")
        self.say(f"NetWorkMonitor is up at {self.url}")
        if self.note:
            self.say(self.note)
        self.say("(Ctrl-C stops every process)")

    def wait_for_web(self, timeout_s: float, interval_s: float = 0.5) -> None:
        """Print the address as the last line once the web process accepts connections."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if answers(self.url):
                self.show_address()
                return
            time.sleep(interval_s)  # polling a port that nobody announces: nothing to wait on
        self.say(f"the web process does not answer at {self.url}: see .run/logs/web.log")


def main(arguments: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the address to print once it answers")
    parser.add_argument("--note", default="", help="a line printed under the address")
    parser.add_argument("--logs", default=".run/logs", help="directory of the per-process logs")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the web process")
    options = parser.parse_args(arguments)
    summary = Summary(Path(options.logs), options.url, options.note)
    threading.Thread(target=summary.wait_for_web, args=(options.timeout,), daemon=True).start()
    # Ctrl-C reaches honcho too, which stops the processes: their last lines still come here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for line in sys.stdin:
        summary.feed(line)
    summary.finish()


if __name__ == "__main__":
    main(sys.argv[1:])
