"""Event handlers that take the events of a hot queue in batches: one nameko worker for several
events instead of one each (docs/architecture.md#batched-handlers).

A worker costs more than a small handler's own work (its context, its dependencies' hooks, the
green thread): taking ``application_received`` in batches cut routing's, notification's and
tracking's CPU by 0.3 ms per event each at 50/s (bench/README.md "Issue 20, third session"). The
handler gathers the events as they arrive and hands them to one worker when ``HANDLER_BATCH_SIZE``
are there (never more than the consumer's prefetch, or the batch could not fill) or
``HANDLER_BATCH_SECONDS`` after the first, whichever comes first. The service method takes them
as positional arguments, so it is still called with one event alone (``handle_x(self, *events)``).

Every event keeps common/handlers.py's treatment: a refused or undecodable one is retried or
parked at once, on its own. When a batch's worker fails, each of its events is handled again
alone, in its own worker: the good ones are done (handlers are idempotent, which they must be
anyway, since the broker redelivers whatever was not acked), and the failing one meets the
bounded retries and the dead-letter queue by itself. The messages of a batch are acked one by
one: a multiple ack on the container's shared channel would also ack other handlers' messages.
"""
import logging
from functools import partial
from typing import Any

import eventlet
from nameko.exceptions import ContainerBeingKilled

from common import config
from common.handlers import RetryingEventHandler

log = logging.getLogger(__name__)

Gathered = list[tuple[Any, Any]]  # (event, message)


class BatchingEventHandler(RetryingEventHandler):

    def setup(self) -> None:
        super().setup()
        wanted = int(config.setting("HANDLER_BATCH_SIZE", "10"))
        # 0.1 s, not 0.05: at 50 events a second a batch then holds ~5 events, not ~2.5 (the three
        # consumers' CPU 3.84 -> 3.47 ms per submission in one run each, though alternating runs
        # could not tell it from the machine's noise: bench/README.md "Issue 20, fourth session"),
        # for ~25 ms more on the way to the SMS on average; 0.2 s saved only 0.1 ms more.
        self.gather(max(1, min(wanted, self.queue_consumer.prefetch_count)),
                    float(config.setting("HANDLER_BATCH_SECONDS", "0.1")))

    def gather(self, batch_size: int, batch_seconds: float) -> None:
        self.batch_size, self.batch_seconds = batch_size, batch_seconds
        self._gathered: Gathered = []
        self._timer: Any = None

    def stop(self) -> None:
        super().stop()  # no more messages come; those gathered are handled before the container stops
        self.flush()

    def kill(self) -> None:
        self._cancel_timer()  # gathered messages were not acked: the broker hands them out again

    def handle_message(self, body: Any, message: Any) -> None:
        if self.refused(body, message):
            return
        self._gathered.append((body, message))
        if len(self._gathered) >= self.batch_size:
            self.flush()
        elif self._timer is None:
            self._timer = eventlet.spawn_after(self.batch_seconds, self.flush)

    def flush(self) -> None:
        # The batch is taken before the timer is cancelled: cancelling may yield, and nameko hands
        # each message over in a green thread of its own, so others may arrive meanwhile.
        batch, self._gathered = self._gathered, []
        self._cancel_timer()
        if batch:
            self.spawn(batch)

    def _cancel_timer(self) -> None:
        """Cleared before it is cancelled: a message arriving while ``cancel`` yields (eventlet's kill
        does, for a timer not yet started) starts the next batch's timer."""
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()  # a no-op when the timer itself is flushing

    def spawn(self, batch: Gathered) -> None:
        events = tuple(event for event, _ in batch)
        context = self.unpack_message_headers(batch[0][1]) if len(batch) == 1 else {}
        log.debug("batch of %d events for %s.%s", len(events), self.container.service_name, self.method_name)
        try:
            self.container.spawn_worker(self, events, {}, context_data=context,
                                        handle_result=partial(self.handle_batch_result, batch))
        except ContainerBeingKilled:
            for _, message in batch:
                self.queue_consumer.requeue_message(message)

    def handle_batch_result(self, batch: Gathered, worker_ctx: Any, result: Any = None,
                            exc_info: Any = None) -> tuple[Any, Any]:
        if len(batch) == 1:
            self.handle_message_processed(batch[0][1], result, exc_info)
        elif exc_info is None:
            for _, message in batch:
                self.queue_consumer.ack_message(message)
        else:
            log.warning("a batch of %d events on %s failed (%s); each is handled again alone",
                        len(batch), self.queue.name, exc_info[0].__name__)
            # not from this worker's green thread: it holds a place in the pool the others need
            eventlet.spawn_n(self._each_alone, batch)
        return result, exc_info

    def _each_alone(self, batch: Gathered) -> None:
        for gathered in batch:
            self.spawn([gathered])


batch_event_handler = BatchingEventHandler.decorator
