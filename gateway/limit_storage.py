"""Rate-limit counters in a SQLite file (``sqlite:///path``), shared by every worker of a gateway.

gunicorn runs several worker processes; ``memory://`` would give each its own counters, so every
limit would be a multiple of the documented one. Without Redis (``RATE_LIMIT_STORAGE_URI``) the
workers share this file instead: each check-and-count is one ``BEGIN IMMEDIATE`` transaction,
so two workers never both take the last place of a limit. One machine only: several gateway
instances need Redis.

Importing this module registers the scheme with ``limits`` (its storages register by
``STORAGE_SCHEME`` when the class is defined). Flask-Limiter's moving window needs
``acquire_entry`` and ``get_moving_window``; the fixed-window methods are there because ``limits``
requires every storage to have them.
"""
import os
import random
import sqlite3
import threading
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

from limits.storage import MovingWindowSupport, Storage

SWEEP_ONE_IN = 500  # acquisitions between removals of every expired entry (each key prunes its own always)
BUSY_TIMEOUT_SECONDS = 5
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS window_entries (key TEXT NOT NULL, at REAL NOT NULL, expires_at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS window_entries_key_at ON window_entries (key, at)",
    "CREATE INDEX IF NOT EXISTS window_entries_expires_at ON window_entries (expires_at)",
    "CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires_at REAL NOT NULL)",
)


def storage_uri(path):
    return "sqlite://" + str(Path(path).resolve())


class SqliteStorage(Storage, MovingWindowSupport):
    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri, wrap_exceptions=False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = urllib.parse.unquote(urllib.parse.urlparse(uri).path)
        if not self.path:
            raise ValueError("a SQLite rate-limit storage needs a file: sqlite:///path/to/rate_limits.db")
        self._local = threading.local()  # a connection per thread, and per process after a fork

    @property
    def base_exceptions(self):
        return sqlite3.Error

    # --- the moving window ----------------------------------------------------------------------

    def acquire_entry(self, key, limit, expiry, amount=1):
        if amount > limit:
            return False
        now = time.time()
        with self._transaction() as db:
            db.execute("DELETE FROM window_entries WHERE key = ? AND at < ?", (key, now - expiry))
            if random.randrange(SWEEP_ONE_IN) == 0:  # keys nobody uses again (a phone that applied once)
                db.execute("DELETE FROM window_entries WHERE expires_at < ?", (now,))
                db.execute("DELETE FROM counters WHERE expires_at < ?", (now,))
            (count,) = db.execute("SELECT count(*) FROM window_entries WHERE key = ?", (key,)).fetchone()
            if count + amount > limit:
                return False
            db.executemany("INSERT INTO window_entries (key, at, expires_at) VALUES (?, ?, ?)",
                           [(key, now, now + expiry)] * amount)
            return True

    def get_moving_window(self, key, limit, expiry):
        """(when the oldest entry still in the window was taken, entries in the window)."""
        now = time.time()
        oldest, count = self._connection().execute(
            "SELECT min(at), count(*) FROM window_entries WHERE key = ? AND at >= ?", (key, now - expiry)).fetchone()
        return (oldest if oldest is not None else now), count

    # --- the fixed window -----------------------------------------------------------------------

    def incr(self, key, expiry, amount=1):
        now = time.time()
        with self._transaction() as db:
            row = db.execute("SELECT value, expires_at FROM counters WHERE key = ?", (key,)).fetchone()
            if row is None or row[1] <= now:
                value, expires_at = amount, now + expiry
            else:
                value, expires_at = row[0] + amount, row[1]
            db.execute("INSERT OR REPLACE INTO counters (key, value, expires_at) VALUES (?, ?, ?)",
                       (key, value, expires_at))
            return value

    def get(self, key):
        row = self._connection().execute("SELECT value FROM counters WHERE key = ? AND expires_at > ?",
                                         (key, time.time())).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key):
        row = self._connection().execute("SELECT expires_at FROM counters WHERE key = ?", (key,)).fetchone()
        return row[0] if row else time.time()

    # --- housekeeping ---------------------------------------------------------------------------

    def check(self):
        try:
            self._connection().execute("SELECT 1").fetchone()
            return True
        except sqlite3.Error:
            return False

    def reset(self):
        with self._transaction() as db:
            removed = db.execute("DELETE FROM window_entries").rowcount + db.execute("DELETE FROM counters").rowcount
        return removed

    def clear(self, key):
        with self._transaction() as db:
            db.execute("DELETE FROM window_entries WHERE key = ?", (key,))
            db.execute("DELETE FROM counters WHERE key = ?", (key,))

    # --- the file -------------------------------------------------------------------------------

    def _connection(self):
        if getattr(self._local, "pid", None) != os.getpid():
            self._local.connection, self._local.pid = self._connect(), os.getpid()
        return self._local.connection

    def _connect(self):
        path = Path(self.path)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Created owner-only before SQLite opens it (its -wal and -shm files take the same mode):
        # the keys hold hashed phones and usernames, and client addresses in clear.
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        connection = _open_in_wal(path)
        connection.execute("PRAGMA synchronous=NORMAL")  # a lost last second of counts costs nothing
        for statement in SCHEMA:
            connection.execute(statement)
        return connection

    @contextmanager
    def _transaction(self):
        """One writer at a time across every process: the check and the count are one step."""
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def _open_in_wal(path):
    """A connection to the file in WAL mode: readers never wait for the writer. The mode stays in
    the file, but switching a new file needs an exclusive lock the first connections of several
    workers race for: with a busy wait, two of them each waited on the other's lock for the whole
    busy timeout (seen: two requests of 5 s, one of them uncounted); without one, the loser is
    refused at once (12 of 40 four-process races). A request whose count fails goes through
    unlimited, so the switch is tried without waiting, and a refused connection is closed and the
    file opened again until the switch holds or a busy timeout has passed."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        connection = sqlite3.connect(str(path), timeout=0, isolation_level=None, check_same_thread=False)
        try:
            mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                connection.close()
                raise
        else:
            if mode == "wal" or time.monotonic() > deadline:  # no WAL here at all: counts work, slower
                connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
                return connection
        connection.close()
        time.sleep(0.01 * random.random())
