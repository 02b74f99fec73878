"""Poison events — one the handler keeps failing on, one that is not JSON, one of an unknown
version — are retried a bounded number of times with a delay, then parked in the dead-letter
queue, while the good events behind them are handled (issue 6, fault test 4)."""
import json
import os
import time

import pytest
from kombu import Connection
from nameko.standalone.events import event_dispatcher, get_event_exchange

from common.topology import dead_letter_queue
from tests.support.broker import queue_types, temporary_vhost
from tests.support.processes import BIN, Process, wait_until

QUEUE = "evt-flaky_source-something_happened--flaky"


def _handled(record):
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


def _good(record):
    return [event for event in _handled(record) if not event.get("poison")]


def _dead_letters(amqp_uri, queue_type="classic"):
    with Connection(amqp_uri) as connection:
        channel = connection.default_channel
        messages = []
        while True:
            message = dead_letter_queue(QUEUE, queue_type)(channel).get(no_ack=True)
            if message is None:
                return messages
            messages.append(message)


def _consuming(amqp_uri):
    with Connection(amqp_uri) as connection:
        try:
            return connection.default_channel.queue_declare(QUEUE, passive=True).consumer_count == 1
        except Exception:
            return False


def _publish_raw(amqp_uri, body):
    with Connection(amqp_uri) as connection:
        connection.Producer().publish(body, exchange=get_event_exchange("flaky_source", {}),
                                      routing_key="something_happened", content_type="application/json",
                                      content_encoding="utf-8", delivery_mode=2)


@pytest.mark.parametrize("queue_type", ["classic", "quorum"])
def test_poison_events_are_parked_after_bounded_retries_while_good_events_pass(tmp_path, queue_type):
    """On quorum queues too (QUEUE_TYPE, issue 21): the retry queue's per-message expiry and its
    at-least-once dead-lettering back into the handler queue."""
    record = tmp_path / "handled.jsonl"
    with temporary_vhost() as amqp_uri:
        env = dict(os.environ, AMQP_URI=amqp_uri, FLAKY_RECORD=str(record), HANDLER_MAX_ATTEMPTS="3",
                   HANDLER_RETRY_SECONDS="0.2", PYTHONUNBUFFERED="1", QUEUE_TYPE=queue_type)
        service = Process("flaky", [str(BIN / "nameko"), "run", "--config", "services/tracking/config.yaml",
                                    "tests.support.flaky_service:FlakyService"], env, tmp_path)
        try:
            wait_until(lambda: _consuming(amqp_uri), timeout=30, what="flaky service consuming")
            dispatch = event_dispatcher({"AMQP_URI": amqp_uri, "serializer": "json"})
            started = time.monotonic()
            dispatch("flaky_source", "something_happened", {"n": "poison", "poison": True})
            _publish_raw(amqp_uri, b'{"n": "unparseable", ')
            dispatch("flaky_source", "something_happened", {"n": "future", "event_version": 99})
            for n in range(10):
                dispatch("flaky_source", "something_happened", {"n": n})

            wait_until(lambda: len(_good(record)) == 10, timeout=10, what="the good events handled")
            dead = []
            wait_until(lambda: dead.extend(_dead_letters(amqp_uri, queue_type)) or len(dead) == 3, timeout=15,
                       what="the three poison events parked")
            parked_after = time.monotonic() - started
            still_running = service.popen.poll() is None
            types = queue_types(amqp_uri)
        finally:
            service.stop()

    assert {types[QUEUE + suffix] for suffix in ("", ".retry", ".dead")} == {queue_type}

    assert still_running, "an undecodable event must not stop the service"
    assert sorted(event["n"] for event in _good(record)) == list(range(10))
    assert len(_handled(record)) - 10 == 3, "the failing event is tried exactly HANDLER_MAX_ATTEMPTS times"
    parked = {message.headers["x-acikkapi-error"]: message for message in dead}
    assert set(parked) == {"ValueError", "UndecodableEvent", "UnsupportedEvent"}
    assert all(message.headers["x-acikkapi-attempt"] == 4 for message in dead)
    assert parked["ValueError"].payload == {"n": "poison", "poison": True}
    body = parked["UndecodableEvent"].body
    assert (body.encode() if isinstance(body, str) else body) == b'{"n": "unparseable", '  # kept as sent
    assert parked["UnsupportedEvent"].payload == {"n": "future", "event_version": 99}
    # Three attempts, 0.2 s then 0.4 s apart: a delay, not a hot loop.
    assert parked_after >= 0.6


def test_operator_lists_shows_and_replays_dead_letters(monkeypatch):
    import io

    from kombu import Queue

    from common import dead_letters
    from tests.support.samples import received_event

    queue_name = "evt-intake-application_received--routing"
    with temporary_vhost() as amqp_uri:
        monkeypatch.setenv("AMQP_URI", amqp_uri)
        with Connection(amqp_uri) as connection:
            Queue(queue_name, durable=True)(connection.default_channel).declare()
            dead_letter_queue(queue_name)(connection.default_channel).declare()
            connection.Producer().publish(received_event("2026-000777"), serializer="json",
                                          routing_key=queue_name + ".dead",
                                          headers={"x-acikkapi-attempt": 6, "x-acikkapi-error": "KeyError"})
            connection.Producer().publish(b'{"broken": ', content_type="application/json", content_encoding="utf-8",
                                          routing_key=queue_name + ".dead",
                                          headers={"x-acikkapi-attempt": 6, "x-acikkapi-error": "UndecodableEvent"})

        listing, shown, replayed = io.StringIO(), io.StringIO(), io.StringIO()
        dead_letters.main(["list"], out=listing)
        dead_letters.main(["show", queue_name], out=shown)
        dead_letters.main(["replay", queue_name], out=replayed)

        with Connection(amqp_uri) as connection:
            back = Queue(queue_name, durable=True)(connection.default_channel).get(no_ack=True)
            broken_back = Queue(queue_name, durable=True)(connection.default_channel).get(no_ack=True)
            still_dead = dead_letter_queue(queue_name)(connection.default_channel).get(no_ack=True)

    assert "2\t" + queue_name in listing.getvalue().splitlines()
    assert "2026-000777" in shown.getvalue() and "KeyError" in shown.getvalue()
    assert "+905321234567" not in shown.getvalue()  # the phone the event carries is masked
    assert '{\\"broken\\": ' in shown.getvalue()  # not JSON: shown as its text
    assert replayed.getvalue().startswith("2 replayed")
    assert back.payload["application_no"] == "2026-000777" and "x-acikkapi-attempt" not in back.headers
    broken_body = broken_back.body.encode() if isinstance(broken_back.body, str) else broken_back.body
    assert broken_body == b'{"broken": ' and broken_back.content_type == "application/json"
    assert still_dead is None
