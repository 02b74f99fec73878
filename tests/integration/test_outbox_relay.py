"""The relay against the real broker: an event no queue would take stays owed, and goes out
(exactly the owed ones, confirmed) once a consumer's queue exists."""
import uuid

import mongomock
from kombu import Connection, Queue
from nameko.amqp.publish import Publisher
from nameko.standalone.events import get_event_exchange

from common.outbox import create_outbox_index, new_document_fields, relay_collection
from contracts.events import new_event
from tests.support.broker import temporary_vhost


def _event(application_no):
    return new_event("sms_sent", application_no, message_id=uuid.uuid4().hex,
                     template="application_received", provider="log")


def test_unroutable_event_stays_owed_until_a_queue_is_bound():
    with temporary_vhost() as amqp_uri:  # no service of this session may have bound a queue
        _check_relay(amqp_uri)


def _check_relay(amqp_uri):
    collection = mongomock.MongoClient(tz_aware=True).db.messages
    create_outbox_index(collection)
    events = [_event("2026-000001"), _event("2026-000001")]
    collection.insert_one(dict(_id="m1", **new_document_fields(events)))
    exchange = get_event_exchange("notification", {})
    publisher = Publisher(amqp_uri, use_confirms=True, mandatory=True, retry=False)

    def publish(event):
        publisher.publish(event, exchange=exchange, routing_key=event["event_name"], declare=[exchange])

    relay_collection(collection, publish, batch_size=10)
    assert [e["event_id"] for e in collection.find_one("m1")["outbox"]] == [e["event_id"] for e in events]

    queue = Queue("test-outbox-" + uuid.uuid4().hex, exchange=exchange, routing_key="sms_sent", durable=False)
    with Connection(amqp_uri) as connection:
        queue(connection.default_channel).declare()
        try:
            relay_collection(collection, publish, batch_size=10)
            received = []
            while len(received) < 3:
                message = queue(connection.default_channel).get(no_ack=True)
                if message is None:
                    break
                received.append(message.payload["event_id"])
        finally:
            queue(connection.default_channel).delete()

    document = collection.find_one("m1")
    assert document["outbox"] == [] and document["outbox_pending"] is False
    assert received == [e["event_id"] for e in events]
