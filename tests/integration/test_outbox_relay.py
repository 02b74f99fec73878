"""The relay against the real broker: a batch is published and confirmed at once; an event no
queue would take stays owed, and goes out (exactly the owed ones, confirmed) once a consumer's
queue exists; a connection dropped mid-batch leaves every unconfirmed event owed."""
import uuid

import mongomock
import pytest
from kombu import Connection, Queue

from common import outbox, topology
from common.confirmed_publisher import ConfirmedPublisher, Outgoing
from common.outbox import create_outbox_index, new_document_fields, relay_collection
from contracts.events import new_event
from tests.support.broker import temporary_vhost

EXCHANGE = topology.event_exchange("notification")


def _event(application_no):
    return new_event("sms_sent", application_no, message_id=uuid.uuid4().hex,
                     template="application_received", provider="log")


@pytest.fixture(scope="module")
def amqp_uri():
    with temporary_vhost() as uri:  # no service of this session may have bound a queue
        yield uri


@pytest.fixture
def collection():
    collection = mongomock.MongoClient(tz_aware=True).db.messages
    create_outbox_index(collection)
    return collection


@pytest.fixture
def publisher(amqp_uri):
    publisher = ConfirmedPublisher(amqp_uri, confirm_timeout=5)
    yield publisher
    publisher.close()


def publish_batch_with(publisher):
    def publish_batch(events):
        answer = publisher.publish([Outgoing(EXCHANGE, event["event_name"], event, event["event_id"])
                                    for event in events])
        publish_batch.answers.append(answer)
        return answer.confirmed
    publish_batch.answers = []
    return publish_batch


@pytest.fixture
def bound_queue(amqp_uri):
    """A queue taking ``sms_sent`` events, and a function draining it (event ids, in order)."""
    queue = Queue("test-outbox-" + uuid.uuid4().hex, exchange=EXCHANGE, routing_key="sms_sent", durable=False)
    with Connection(amqp_uri) as connection:
        EXCHANGE(connection.default_channel).declare()
        queue(connection.default_channel).declare()

        def received():
            ids = []
            while (message := queue(connection.default_channel).get(no_ack=True)) is not None:
                ids.append(message.payload["event_id"])
            return ids
        try:
            yield received
        finally:
            queue(connection.default_channel).delete()


def owing(collection, count, events_each=1):
    documents = {"m{}".format(number): [_event("2026-{:06}".format(number)) for _ in range(events_each)]
                 for number in range(count)}
    for document_id, events in documents.items():
        collection.insert_one(dict(_id=document_id, **new_document_fields(events)))
    return [event["event_id"] for events in documents.values() for event in events]


def test_a_batch_is_published_and_confirmed_in_one_wait(collection, publisher, bound_queue):
    event_ids = owing(collection, 60, events_each=2)
    publish_batch = publish_batch_with(publisher)

    assert relay_collection(collection, publish_batch, batch_size=100) == 60

    [answer] = publish_batch.answers
    assert answer.failure is None and answer.confirmed == set(event_ids)
    assert collection.count_documents({outbox.PENDING: True}) == 0
    assert bound_queue() == event_ids


def test_unroutable_event_stays_owed_until_a_queue_is_bound(amqp_uri, collection, publisher):
    event_ids = owing(collection, 1, events_each=2)
    publish_batch = publish_batch_with(publisher)

    relay_collection(collection, publish_batch, batch_size=10)

    assert publish_batch.answers[0].refused == set(event_ids)  # returned, then acked: not confirmed
    assert [e["event_id"] for e in collection.find_one("m0")["outbox"]] == event_ids
    queue = Queue("test-outbox-" + uuid.uuid4().hex, exchange=EXCHANGE, routing_key="sms_sent", durable=False)
    with Connection(amqp_uri) as connection:
        queue(connection.default_channel).declare()
        try:
            relay_collection(collection, publish_batch, batch_size=10)  # on the same connection
            received = []
            while (message := queue(connection.default_channel).get(no_ack=True)) is not None:
                received.append(message.payload["event_id"])
        finally:
            queue(connection.default_channel).delete()

    document = collection.find_one("m0")
    assert document["outbox"] == [] and document["outbox_pending"] is False
    assert received == event_ids


def test_only_the_unroutable_events_of_a_batch_stay_owed(amqp_uri, collection, publisher, bound_queue):
    routable = owing(collection, 3)
    unroutable = new_event("sms_failed", "2026-000009", message_id="x", template="application_received",
                           provider="log", reason="test")
    collection.insert_one(dict(_id="unroutable", **new_document_fields([unroutable])))

    relay_collection(collection, publish_batch_with(publisher), batch_size=10)

    assert [d["_id"] for d in collection.find({outbox.PENDING: True})] == ["unroutable"]
    assert bound_queue() == routable


def test_a_connection_dropped_mid_batch_leaves_the_unconfirmed_events_owed(amqp_uri, collection, publisher,
                                                                          bound_queue):
    event_ids = owing(collection, 20)
    publish_batch = publish_batch_with(publisher)
    publisher.publish([])  # nothing yet; the connection opens on the first real batch
    real_publish = publisher._open

    def open_then_drop_after_the_fifth():
        producer = real_publish()
        original, sent = producer.publish, []

        def publish_then_maybe_drop(*args, **kwargs):
            original(*args, **kwargs)
            sent.append(1)
            if len(sent) == 5:
                publisher._connection.connection.sock.close()  # the broker goes away
        producer.publish = publish_then_maybe_drop
        return producer
    publisher._open = open_then_drop_after_the_fifth

    relay_collection(collection, publish_batch, batch_size=100)

    [answer] = publish_batch.answers
    assert answer.failure is not None
    assert answer.confirmed <= set(event_ids[:5])
    owed = [event["event_id"] for document in collection.find({outbox.PENDING: True}).sort("_id")
            for event in document["outbox"]]
    assert sorted(owed) == sorted(set(event_ids) - answer.confirmed)
    assert collection.count_documents({outbox.LEASE: {"$ne": None}}) == 0

    publisher._open = real_publish
    relay_collection(collection, publish_batch, batch_size=100)  # a new connection
    assert collection.count_documents({outbox.PENDING: True}) == 0
    assert set(bound_queue()) == set(event_ids)
