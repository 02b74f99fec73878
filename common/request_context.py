"""The services' side of request ids (common/logs.py): a dependency every service has (through
common/health.py's ``Pingable``) that holds the caller's request id for each worker."""
import logging
import time
from typing import Any

from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc

from common import logs

log = logging.getLogger(__name__)


class RequestLogContext(DependencyProvider):
    """Gives every line a service worker logs the ``request_id`` its caller sent (nameko context
    data), and logs one line per RPC handled (name, outcome, duration: never arguments).

    worker_setup and worker_teardown run in the worker's own green thread, so the id set here
    is seen by everything the worker logs and by no other worker. Workers without one (event
    handlers: the outbox relays publish events with no request id; timers) log without it.
    At container start the log records stop gathering fields no line writes; with
    ``MASK_STRAY_OUTPUT`` true in the config (services/*/config.yaml), the process's stray output
    goes through the mask too (``logs.capture_stray_output``).
    """

    def __init__(self) -> None:
        self._started: dict[Any, float] = {}

    def setup(self) -> None:
        logs.skip_unused_record_fields()
        if self.container.config.get(logs.MASK_STRAY_OUTPUT_CONFIG_KEY):
            logs.capture_stray_output()

    def worker_setup(self, worker_ctx: Any) -> None:
        request_id = worker_ctx.data.get(logs.REQUEST_ID_KEY)
        logs.bind_request_id(str(request_id)[:logs.REQUEST_ID_MAX_LENGTH] if request_id else None)
        self._started[worker_ctx] = time.monotonic()

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        started = self._started.pop(worker_ctx, None)
        if not isinstance(worker_ctx.entrypoint, Rpc) or started is None:
            return
        method = worker_ctx.entrypoint.method_name
        outcome = "ok" if exc_info is None else type(exc_info[1]).__name__
        log.log(logging.DEBUG if method == "ping" else logging.INFO, "rpc %s.%s: %s in %d ms",
                worker_ctx.service_name, method, outcome, (time.monotonic() - started) * 1000)

    def worker_teardown(self, worker_ctx: Any) -> None:
        self._started.pop(worker_ctx, None)
        logs.bind_request_id(None)  # the green thread ends here; nothing to restore
