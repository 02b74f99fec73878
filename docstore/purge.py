"""After an erasure, the earlier versions of the erased data leave the write-ahead log.

``secure_delete`` (storage.py) zeroes what a write deletes inside the database file, but the
write-ahead log keeps every changed page as it was, until a checkpoint copies the log into the
file and truncates it. SQLite checkpoints by itself only passively and never truncates, so the
log can hold an erased phone number for as long as the process runs. ``LogPurger.purge`` asks
for the truncating checkpoint at once; when another process's reader or writer is in the way
(it cannot finish while someone reads an older snapshot), it tries again in the background every
half second until it succeeds, and logs an error if that takes longer than promised.
"""
import logging
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docstore.storage import Storage

log = logging.getLogger(__name__)

# How long one try waits for another connection; short, as SQLite's busy wait sleeps in C and
# holds up every green thread of the process meanwhile.
BUSY_SECONDS = 0.2
RETRY_SECONDS = 0.5
SLOW_RETRY_SECONDS = 5.0  # once the promised time has passed: keep trying, less often


class LogPurger:
    def __init__(self, storage: "Storage") -> None:
        self._storage = storage
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._deadline = 0.0
        self._requested = False  # a purge was asked for since the retry loop's last try began

    def purge(self, within: float) -> bool:
        """True when the log is empty now; else it will be, in the background, normally within
        ``within`` seconds. Call after the erasing write has committed."""
        if self._try():
            return True
        with self._lock:
            self._requested = True
            self._deadline = max(self._deadline, time.monotonic() + within)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._retry, name="embedded-log-purge", daemon=True)
                self._thread.start()
        return False

    def pending(self) -> bool:
        """True while the background loop still has a purge to finish."""
        with self._lock:
            return self._thread is not None and self._thread.is_alive()

    def _try(self) -> bool:
        try:
            return self._storage.truncate_log(BUSY_SECONDS)
        except Exception:  # a disk error now may pass: the loop tries again
            log.exception("truncating the write-ahead log of %s failed", self._storage.path)
            return False

    def _retry(self) -> None:
        late = False
        while True:
            with self._lock:
                # Every purge asked for before this point committed its write before this try begins.
                self._requested = False
            time.sleep(SLOW_RETRY_SECONDS if late else RETRY_SECONDS)
            done = self._try()
            with self._lock:
                if done and not self._requested:
                    self._thread, self._deadline = None, 0.0
                    return
                if not late and time.monotonic() > self._deadline:
                    late = True
                    log.error("write-ahead log of %s not yet truncated after an erasure: erased data"
                              " stays on disk until it is (a long read or write in another process?)",
                              self._storage.path)
