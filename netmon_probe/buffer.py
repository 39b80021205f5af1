"""Results kept on the probe's disk until Redis has taken them, oldest first.

SQLite in WAL mode: an entry written is kept through a crash or a power cut, and one
taken by Redis is deleted only then. Bounded: past `max_entries` the oldest are dropped,
and counted (`dropped`), so a probe cut off for days does not fill its disk.
"""

import sqlite3
import uuid
from pathlib import Path


class Buffer:
    def __init__(self, path: str | Path, max_entries: int) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT)")
        self.db.execute("CREATE TABLE IF NOT EXISTS kept (name TEXT PRIMARY KEY, text TEXT)")
        self.max_entries = max_entries
        self.dropped = 0
        self.count = self.db.execute("SELECT count(*) FROM entries").fetchone()[0]

    def append(self, texts: list[str]) -> None:
        if not texts:
            return
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT INTO entries (text) VALUES (?)", [(text,) for text in texts])
            self.count += len(texts)
            over = self.count - self.max_entries
            if over > 0:
                oldest = "SELECT seq FROM entries ORDER BY seq LIMIT ?"
                self.db.execute(f"DELETE FROM entries WHERE seq IN ({oldest})", (over,))
                self.count -= over
                self.dropped += over

    def oldest(self, limit: int) -> list[tuple[int, str]]:
        return self.db.execute("SELECT seq, text FROM entries ORDER BY seq LIMIT ?", (limit,)).fetchall()

    def remove_through(self, seq: int) -> None:
        """Forget the entries up to `seq`, included: Redis has them."""
        removed = self.db.execute("DELETE FROM entries WHERE seq <= ?", (seq,)).rowcount
        self.count -= removed

    def keep(self, name: str, text: str) -> None:
        """Keep one named text (the sealed assignments): a probe restarted while the centre is away runs them."""
        self.db.execute("INSERT OR REPLACE INTO kept (name, text) VALUES (?, ?)", (name, text))

    def kept(self, name: str) -> str | None:
        row = self.db.execute("SELECT text FROM kept WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def identity(self) -> str:
        """This buffer's own name, made once: with an entry's number, which the centre has seen (sequence numbers
        start again in a new buffer)."""
        if (kept := self.kept("identity")) is None:
            self.keep("identity", kept := uuid.uuid4().hex)
        return kept

    def close(self) -> None:
        self.db.close()
