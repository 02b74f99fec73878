"""A service's background worker: runs when kicked, and on a timer regardless.

Used where a request must not wait for slow or fallible I/O (publishing to
the broker, calling an SMS provider): the entrypoint stores what is owed and
kicks; the loop does the work; the timer retries whatever a crash or an
outage left behind.
"""
import logging
import os
from collections.abc import Callable, Mapping
from typing import Any

import eventlet
from eventlet.queue import Empty, LightQueue
from nameko.extensions import DependencyProvider

from common.storage import store_of

log = logging.getLogger(__name__)


class HandingOver:
    """What an entrypoint gets from a loop that takes work handed over in memory (the outbox relay,
    the SMS dispatcher): call it to kick the loop; ``leased(document)`` before inserting a new
    document, which writes it already claimed by this process's loop; ``hand_over(*documents)``
    once they are stored, so the loop takes them without claiming them from the store first."""

    def __init__(self, loop: Any) -> None:
        self._loop = loop

    def __call__(self) -> None:
        self._loop.kick()

    def leased(self, document: Mapping[str, Any]) -> dict[str, Any]:
        leased: dict[str, Any] = self._loop.leased(document)
        return leased

    def hand_over(self, *documents: Mapping[str, Any]) -> None:
        self._loop.hand_over(*documents)


class BackgroundLoop(DependencyProvider):
    """Subclasses implement ``run_once() -> bool`` (True: more work may be waiting).

    ``store`` names the service's ``Store`` dependency the loop works on; it is ``self.store``
    from ``start`` on. The injected dependency is ``kick()``: the smallest thing an entrypoint needs.
    """

    interval_seconds = 1.0

    def __init__(self, store: str) -> None:
        self.store_attr = store
        # Plain state, no I/O: nameko binds a new instance per container, calling this again.
        self._wake = LightQueue()
        self._running = False
        self._thread: Any = None

    def start(self) -> None:
        self.store = store_of(self.container, self.store_attr)
        self._running = True
        self._thread = self.container.spawn_managed_thread(self._run)

    def stop(self) -> None:
        self._running = False
        if self._thread is not None:
            self._thread.kill()

    kill = stop

    def get_dependency(self, worker_ctx: Any) -> Callable[[], None]:
        return self.kick

    def kick(self) -> None:
        if self._wake.qsize() == 0:
            self._wake.put_nowait(None)

    def run_once(self) -> bool:
        raise NotImplementedError

    def _run(self) -> None:
        while self._running:
            try:
                more = self.run_once()
            except Exception:  # the timer retries; a crash here would stop all future work
                log.exception("%s failed; retrying in %ss", type(self).__name__, self.interval_seconds)
                more = False
            if more:
                # A backlog is worked through round after round, but the rounds' store calls never
                # wait on a socket: without a yield the service's consumers (its RPC queue too) would
                # get no turn until the backlog was gone.
                eventlet.sleep(0)
                continue
            try:
                self._wake.get(timeout=self.interval_seconds)
            except Empty:
                pass


class HandingOverLoop(BackgroundLoop):
    """A loop that also takes new documents handed over in memory (``HandingOver``, its injected
    dependency): subclasses say how a new document is written already claimed by this process
    (``leased``, under ``self.claim``) and whether a document is so (``holds``); ``hand_over``
    keeps those for the next round, which takes them from ``self._handed``."""

    def __init__(self, store: str) -> None:
        super().__init__(store)
        self.claim = os.urandom(12).hex()  # of the documents this process writes already claimed
        self._handed: list[Any] = []  # the documents handed over since the last round
        self._handing_over = HandingOver(self)

    def get_dependency(self, worker_ctx: Any) -> HandingOver:
        return self._handing_over

    def leased(self, document: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def holds(self, document: Mapping[str, Any]) -> bool:
        raise NotImplementedError

    def hand_over(self, *documents: Mapping[str, Any]) -> None:
        self._handed.extend(document for document in documents if self.holds(document))
        self.kick()
