"""Each service process serves its Prometheus metrics over HTTP (docs/configuration.md#environment: METRICS_PORT).

Label values must stay bounded and never carry personal data: service, method, event, outcome,
provider, template, state, channel, kind, province, queue — never a number, a phone, an
application number or a username.

One mechanism for every service (the ``MetricsEndpoint`` each service declares):
- every RPC and every event handler is counted and timed (``worker_setup``/``worker_result``),
  outcome ``ok``, ``expected_error`` (an ``expected_exceptions`` error: validation, not found,
  conflict) or ``error``;
- the dead letters of the service's own handler queues (``<queue>.dead``, common/topology.py) are
  sampled by a background thread with passive declares (``DEAD_LETTER_SAMPLE_SECONDS``);
- the outbox relay (common/outbox.py) sets the backlog gauge after each round.

The endpoint says whose it is (``acikkapi_process_info{service, system, pid}``, see
``config.system_id``): a port that another program, another system or another process of this one
holds answers with someone else's counts, so the health check and the tests compare it. A port
already taken is a startup error (exit ``EX_CONFIG``) naming ``METRICS_PORT``; ``METRICS_PORT=0``
lets the kernel choose one, which the process logs (the only race-free choice when many systems
share a machine, as tests do).
"""
import logging
import os
import time
from typing import Any

import eventlet
from kombu import Connection
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from prometheus_client import Counter, Gauge, Histogram, start_http_server

from common import config, topology
from common.config import setting
from messages import bilingual

log = logging.getLogger(__name__)

DEFAULT_PORTS = {"intake": 9101, "routing": 9102, "notification": 9103, "tracking": 9104}
EX_CONFIG = 78  # sysexits.h: restarting will not help (common/launcher.py stops rather than retries)

OK, EXPECTED_ERROR, ERROR = "ok", "expected_error", "error"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

RPC_CALLS = Counter("acikkapi_rpc_calls_total", "RPC calls handled, by outcome",
                    ["service", "method", "outcome"])
RPC_SECONDS = Histogram("acikkapi_rpc_duration_seconds", "Time to handle one RPC call",
                        ["service", "method"], buckets=LATENCY_BUCKETS)
EVENT_CALLS = Counter("acikkapi_event_handler_calls_total", "Events handled, by outcome (an error is retried)",
                      ["service", "event", "outcome"])
EVENT_SECONDS = Histogram("acikkapi_event_handler_duration_seconds",
                          "Time of one handler call (a batch's events in one)", ["service", "event"],
                          buckets=LATENCY_BUCKETS)
OUTBOX_PENDING = Gauge("acikkapi_outbox_pending_documents",
                       "Documents still owing events after the relay's last round", ["service"])
DEAD_LETTERS = Gauge("acikkapi_dead_letter_messages", "Events parked in <queue>.dead", ["service", "queue"])
PROCESS_INFO = Gauge("acikkapi_process_info", "Whose endpoint this is: the service, its system and the process",
                     ["service", "system", "pid"])


def outcome_of(entrypoint: Any, exc_info: Any) -> str:
    if exc_info is None:
        return OK
    if isinstance(exc_info[1], getattr(entrypoint, "expected_exceptions", ()) or ()):
        return EXPECTED_ERROR
    return ERROR


def own_handler_queues(service: str) -> list[str]:
    """The handler queues ``service`` consumes (from the event catalogue)."""
    return sorted(topology.handler_queue_name(*subscription) for subscription in topology.subscriptions()
                  if subscription[2] == service)


def sample_dead_letters(connection: Any, service: str) -> None:
    """Sets the dead-letter gauge of each of ``service``'s handler queues (passive declares)."""
    for queue_name in own_handler_queues(service):
        channel = connection.channel()
        try:
            count = topology.dead_letter_queue(queue_name)(channel).queue_declare(passive=True).message_count
        except Exception:  # not declared yet (its consumer never ran): nothing parked
            count = 0
        finally:
            try:
                channel.close()
            except Exception:
                pass
        DEAD_LETTERS.labels(service, queue_name + topology.DEAD_SUFFIX).set(count)


class MetricsEndpoint(DependencyProvider):
    """Starts the endpoint at service start, counts and times every RPC and event handler, and
    samples the service's dead letters; injects nothing (metrics are module-level objects)."""

    def setup(self) -> None:
        service = self.container.service_name
        port = int(setting("METRICS_PORT", str(DEFAULT_PORTS.get(service, 0))))
        host = setting("METRICS_HOST", "127.0.0.1")
        self._started: dict[Any, float] = {}
        try:
            server, _ = start_http_server(port, addr=host)
        except OSError as error:
            log.error("%s", bilingual("operator.metrics_port_unavailable", service=service, host=host, port=port,
                                      reason=error.strerror))
            raise SystemExit(EX_CONFIG) from None
        PROCESS_INFO.labels(service, config.system_id(), str(os.getpid())).set(1)
        log.info("metrics endpoint of %s (pid %s) on %s:%s", service, os.getpid(), host, server.server_address[1])

    def start(self) -> None:
        self._sampling = True
        self._sample_seconds = float(setting("DEAD_LETTER_SAMPLE_SECONDS", "15"))
        if own_handler_queues(self.container.service_name):
            self._sampler = self.container.spawn_managed_thread(self._sample_dead_letters)

    def stop(self) -> None:
        self._sampling = False
        sampler = getattr(self, "_sampler", None)
        if sampler is not None:
            sampler.kill()

    kill = stop

    def _sample_dead_letters(self) -> None:
        amqp_uri = self.container.config.get(AMQP_URI_CONFIG_KEY) or config.amqp_uri()
        while self._sampling:
            try:
                with Connection(amqp_uri, connect_timeout=5) as connection:
                    sample_dead_letters(connection, self.container.service_name)
            except Exception as error:  # the broker is away: the gauges keep their last value
                log.debug("dead letters not sampled: %s", type(error).__name__)
            eventlet.sleep(self._sample_seconds)

    def get_dependency(self, worker_ctx: Any) -> None:
        return None

    def worker_setup(self, worker_ctx: Any) -> None:
        self._started[worker_ctx] = time.monotonic()

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        started = self._started.pop(worker_ctx, None)
        if started is None:
            return
        entrypoint, elapsed = worker_ctx.entrypoint, time.monotonic() - started
        service, outcome = worker_ctx.service_name, outcome_of(entrypoint, exc_info)
        if isinstance(entrypoint, Rpc):
            RPC_CALLS.labels(service, entrypoint.method_name, outcome).inc()
            RPC_SECONDS.labels(service, entrypoint.method_name).observe(elapsed)
        elif isinstance(entrypoint, EventHandler):
            # a batching handler's worker takes several events (common/batch_handlers.py)
            EVENT_CALLS.labels(service, entrypoint.event_type, outcome).inc(len(worker_ctx.args))
            EVENT_SECONDS.labels(service, entrypoint.event_type).observe(elapsed)

    def worker_teardown(self, worker_ctx: Any) -> None:
        self._started.pop(worker_ctx, None)
