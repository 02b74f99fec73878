"""A batching handler (common/batch_handlers.py) under `nameko run` on the real broker: events
arrive in batches no larger than asked; a poison event among them fails its batch, the others are
still handled, and it alone is retried a bounded number of times and parked; a service stopped
while events are gathered handles them before it exits (nothing left in the queue)."""
import json
import os
import time

from kombu import Connection
from nameko.standalone.events import event_dispatcher

from common.topology import dead_letter_queue
from tests.support.broker import temporary_vhost
from tests.support.processes import BIN, Process, wait_until

QUEUE = "evt-flaky_source-many_happened--flaky"


def _handled(record):
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


def _queue_counts(amqp_uri):
    """(ready, consumers) of the batching handler's queue; None before it is declared."""
    with Connection(amqp_uri) as connection:
        try:
            declared = connection.default_channel.queue_declare(QUEUE, passive=True)
        except Exception:
            return None
        return declared.message_count, declared.consumer_count


def _dead_letters(amqp_uri):
    with Connection(amqp_uri) as connection:
        messages = []
        while (message := dead_letter_queue(QUEUE)(connection.default_channel).get(no_ack=True)) is not None:
            messages.append(message)
        return messages


def _flaky_service(amqp_uri, record, tmp_path, **settings):
    env = dict(os.environ, AMQP_URI=amqp_uri, FLAKY_RECORD=str(record), PYTHONUNBUFFERED="1", **settings)
    service = Process("flaky", [str(BIN / "nameko"), "run", "--config", "services/tracking/config.yaml",
                                "tests.support.flaky_service:FlakyService"], env, tmp_path)
    wait_until(lambda: (_queue_counts(amqp_uri) or (0, 0))[1] == 1, timeout=30, what="flaky service consuming")
    return service


def test_events_come_in_batches_and_a_poison_one_is_parked_alone_while_the_rest_of_its_batch_is_handled(tmp_path):
    record = tmp_path / "handled.jsonl"
    with temporary_vhost() as amqp_uri:
        service = _flaky_service(amqp_uri, record, tmp_path, HANDLER_MAX_ATTEMPTS="3", HANDLER_RETRY_SECONDS="0.2",
                                 HANDLER_BATCH_SIZE="8", HANDLER_BATCH_SECONDS="0.2")
        try:
            dispatch = event_dispatcher({"AMQP_URI": amqp_uri, "serializer": "json"})
            for n in range(30):
                dispatch("flaky_source", "many_happened", {"n": n})
                if n == 12:
                    dispatch("flaky_source", "many_happened", {"n": "poison", "poison": True})

            good = lambda: {event["n"] for event in _handled(record) if not event.get("poison")}  # noqa: E731
            wait_until(lambda: good() == set(range(30)), timeout=15, what="the good events handled")
            dead = []
            wait_until(lambda: dead.extend(_dead_letters(amqp_uri)) or dead, timeout=15, what="the poison parked")
            time.sleep(0.5)  # nothing more may come
            still_running = service.popen.poll() is None
            left = _queue_counts(amqp_uri)[0]
        finally:
            service.stop()

    handled = _handled(record)
    sizes = [event["batch"] for event in handled]
    assert still_running
    assert max(sizes) > 1, "events published together must share a worker"
    assert max(sizes) <= 8, "HANDLER_BATCH_SIZE bounds a batch"
    poison_alone = [event for event in handled if event.get("poison") and event["batch"] == 1]
    assert len(poison_alone) == 3, "alone, the poison event is tried exactly HANDLER_MAX_ATTEMPTS times"
    [parked] = dead
    assert parked.payload == {"n": "poison", "poison": True}
    assert parked.headers["x-acikkapi-attempt"] == 4 and parked.headers["x-acikkapi-error"] == "ValueError"
    # the poison's batch-mates ran twice (in the batch, then alone): idempotent handlers make that safe
    assert left == 0


def test_a_service_stopped_while_gathering_handles_the_gathered_events_before_it_exits(tmp_path):
    record = tmp_path / "handled.jsonl"
    with temporary_vhost() as amqp_uri:
        service = _flaky_service(amqp_uri, record, tmp_path, HANDLER_BATCH_SIZE="10", HANDLER_BATCH_SECONDS="60")
        dispatch = event_dispatcher({"AMQP_URI": amqp_uri, "serializer": "json"})
        for n in range(3):
            dispatch("flaky_source", "many_happened", {"n": n})
        wait_until(lambda: _queue_counts(amqp_uri)[0] == 0, timeout=10, what="the events delivered to the service")
        time.sleep(0.5)
        gathered_not_handled = _handled(record) == []
        service.stop()
        left = _queue_counts(amqp_uri)[0]

    assert gathered_not_handled, "with a minute to gather, three events wait"
    assert [event["n"] for event in _handled(record)] == [0, 1, 2]
    assert {event["batch"] for event in _handled(record)} == {3}
    assert left == 0, "handled at the stop, so acked: not handed out again"
