"""A service's background worker: runs when kicked, and on a timer regardless.

Used where a request must not wait for slow or fallible I/O (publishing to
the broker, calling an SMS provider): the entrypoint stores what is owed and
kicks; the loop does the work; the timer retries whatever a crash or an
outage left behind.
"""
import logging
from collections.abc import Callable
from typing import Any

from eventlet.queue import Empty, LightQueue
from nameko.extensions import DependencyProvider

from common.storage import store_of

log = logging.getLogger(__name__)


class BackgroundLoop(DependencyProvider):
    """Subclasses implement ``run_once() -> bool`` (True: more work may be waiting).

    ``store`` names the service's ``Store`` dependency the loop works on; it is ``self.store``
    from ``start`` on. The injected dependency is ``kick()``: the smallest thing an entrypoint needs.
    """

    interval_seconds = 1.0

    def __init__(self, store: str) -> None:
        self.store_attr = store

    def setup(self) -> None:
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
            if not more:
                try:
                    self._wake.get(timeout=self.interval_seconds)
                except Empty:
                    pass
