import copy
from datetime import timedelta

import pytest

from common import clock, outbox
from contracts.events import new_event


def owed_sms_event(application_no, message_id):
    return new_event("sms_sent", application_no, message_id=message_id,
                     template="application_received", provider="verimor")


class RecordingPublisher:
    """Publishes by recording; refuses (raises) the events whose ids are in ``refuse``."""

    def __init__(self, refuse=()):
        self.published = []
        self.refuse = set(refuse)

    def __call__(self, event):
        if event["event_id"] in self.refuse:
            raise ConnectionError("broker did not confirm")
        self.published.append(event)


@pytest.fixture
def collection(mongo_db):
    collection = mongo_db.get_collection("messages")
    outbox.create_outbox_index(collection)
    return collection


def insert_owing(collection, document_id, events):
    collection.insert_one(dict({"_id": document_id}, **outbox.new_document_fields(events)))


def event_ids(events):
    return [event["event_id"] for event in events]


def test_new_document_fields_owe_the_events_and_mark_the_document_pending():
    events = [owed_sms_event("2026-000001", "m1"), owed_sms_event("2026-000001", "m2")]

    fields = outbox.new_document_fields(events)

    assert fields == {"outbox": events, "outbox_pending": True}
    assert fields["outbox"] is not events


def test_owe_adds_events_and_pending_to_an_update_without_changing_it():
    update = {"$set": {"state": "sent"}, "$inc": {"attempts": 1}}
    original = copy.deepcopy(update)
    event = owed_sms_event("2026-000001", "m1")

    merged = outbox.owe(update, [event])

    assert update == original
    assert merged == {
        "$set": {"state": "sent", "outbox_pending": True},
        "$inc": {"attempts": 1},
        "$push": {"outbox": {"$each": [event]}},
    }


def test_owed_update_appends_to_what_a_document_already_owes(collection):
    earlier, later = owed_sms_event("2026-000001", "m1"), owed_sms_event("2026-000001", "m2")
    insert_owing(collection, "doc", [earlier])

    collection.update_one({"_id": "doc"}, outbox.owe({"$set": {"state": "sent"}}, [later]))

    document = collection.find_one({"_id": "doc"})
    assert event_ids(document["outbox"]) == event_ids([earlier, later])
    assert document["state"] == "sent"
    assert document["outbox_pending"] is True


def test_relay_publishes_each_owed_event_in_order_and_clears_the_document(collection):
    events = [owed_sms_event("2026-000001", "m{}".format(n)) for n in range(3)]
    insert_owing(collection, "doc", events)
    publish = RecordingPublisher()

    seen = outbox.relay_collection(collection, publish, batch_size=10)

    assert seen == 1
    assert event_ids(publish.published) == event_ids(events)
    document = collection.find_one({"_id": "doc"})
    assert document["outbox"] == []
    assert document["outbox_pending"] is False


def test_an_event_owed_while_the_relay_publishes_stays_owed(collection):
    first, late = owed_sms_event("2026-000001", "m1"), owed_sms_event("2026-000001", "m2")
    insert_owing(collection, "doc", [first])
    publish = RecordingPublisher()

    def publish_while_the_service_writes(event):
        publish(event)
        if event is not late and event["event_id"] == first["event_id"]:
            collection.update_one({"_id": "doc"}, outbox.owe({"$set": {"state": "sent"}}, [late]))

    outbox.relay_collection(collection, publish_while_the_service_writes, batch_size=10)

    document = collection.find_one({"_id": "doc"})
    assert event_ids(document["outbox"]) == [late["event_id"]]
    assert document["outbox_pending"] is True
    outbox.relay_collection(collection, publish, batch_size=10)
    assert event_ids(publish.published) == [first["event_id"], late["event_id"]]
    assert collection.find_one({"_id": "doc"})["outbox_pending"] is False


def test_relay_stops_a_document_at_the_first_refused_event_and_keeps_the_rest(collection):
    first, refused, last = (owed_sms_event("2026-000001", "m{}".format(n)) for n in range(3))
    insert_owing(collection, "doc", [first, refused, last])
    publish = RecordingPublisher(refuse=[refused["event_id"]])

    outbox.relay_collection(collection, publish, batch_size=10)

    assert event_ids(publish.published) == [first["event_id"]]
    document = collection.find_one({"_id": "doc"})
    assert event_ids(document["outbox"]) == event_ids([refused, last])
    assert document["outbox_pending"] is True


def test_relay_publishes_what_was_left_on_the_next_run(collection):
    first, refused, last = (owed_sms_event("2026-000001", "m{}".format(n)) for n in range(3))
    insert_owing(collection, "doc", [first, refused, last])
    outbox.relay_collection(collection, RecordingPublisher(refuse=[refused["event_id"]]), batch_size=10)
    publish = RecordingPublisher()

    outbox.relay_collection(collection, publish, batch_size=10)

    assert event_ids(publish.published) == event_ids([refused, last])
    document = collection.find_one({"_id": "doc"})
    assert document["outbox"] == []
    assert document["outbox_pending"] is False


def test_a_refused_event_does_not_hold_up_other_documents(collection):
    refused, other = owed_sms_event("2026-000001", "m1"), owed_sms_event("2026-000002", "m2")
    insert_owing(collection, "a", [refused])
    insert_owing(collection, "b", [other])
    publish = RecordingPublisher(refuse=[refused["event_id"]])

    seen = outbox.relay_collection(collection, publish, batch_size=10)

    assert seen == 2
    assert event_ids(publish.published) == [other["event_id"]]
    assert collection.find_one({"_id": "b"})["outbox_pending"] is False
    assert collection.find_one({"_id": "a"})["outbox_pending"] is True


def test_relay_skips_documents_that_owe_nothing_and_counts_only_pending_ones(collection):
    insert_owing(collection, "pending", [owed_sms_event("2026-000001", "m1")])
    collection.insert_one({"_id": "done", "outbox": [owed_sms_event("2026-000002", "m2")], "outbox_pending": False})
    collection.insert_one({"_id": "plain"})
    publish = RecordingPublisher()

    seen = outbox.relay_collection(collection, publish, batch_size=10)

    assert seen == 1
    assert [event["application_no"] for event in publish.published] == ["2026-000001"]


def test_relay_sees_at_most_a_batch_of_documents_per_run(collection):
    for n in range(5):
        insert_owing(collection, "doc{}".format(n), [owed_sms_event("2026-00000{}".format(n), "m")])
    publish = RecordingPublisher()

    assert outbox.relay_collection(collection, publish, batch_size=3) == 3
    assert len(publish.published) == 3
    assert outbox.relay_collection(collection, publish, batch_size=3) == 2
    assert len(publish.published) == 5
    assert outbox.relay_collection(collection, publish, batch_size=3) == 0


def test_outbox_index_is_on_the_pending_flag(collection):
    indexed_fields = [key for index in collection.index_information().values() for key, _ in index["key"]]

    assert "outbox_pending" in indexed_fields


def test_a_document_leased_by_one_relay_is_not_published_by_another(collection):
    insert_owing(collection, "m1", [owed_sms_event("2026-000001", "m1")])
    seen_by_second = []

    def first_publish(event):
        # While the first relay holds the document, a second relay (another process) runs.
        outbox.relay_collection(collection, seen_by_second.append, batch_size=10)

    outbox.relay_collection(collection, first_publish, batch_size=10)

    assert seen_by_second == []
    assert collection.find_one("m1")["outbox"] == []


def test_a_lease_left_by_a_crashed_relay_runs_out(collection):
    events = [owed_sms_event("2026-000001", "m1")]
    insert_owing(collection, "m1", events)
    collection.update_one({"_id": "m1"}, {"$set": {outbox.LEASE: clock.now() + timedelta(seconds=5)}})
    published = []

    outbox.relay_collection(collection, published.append, batch_size=10)
    assert published == []
    outbox.relay_collection(collection, published.append, batch_size=10,
                            now=clock.now() + outbox.LEASE_DURATION + timedelta(seconds=5))
    assert event_ids(published) == event_ids(events)


def test_a_batch_reads_each_owing_document_a_few_times_not_once_per_earlier_claim(tmp_path, monkeypatch):
    """On the embedded store: claims are exact index lookups (pending, no lease), so a batch of
    100 decodes each document a few times (the $or it replaced decoded ~5,000)."""
    from docstore import EmbeddedClient
    from docstore import collection as collection_module

    collection = EmbeddedClient(f"sqlite:///{tmp_path}/store.db").db.messages
    outbox.create_outbox_index(collection)
    for number in range(100):
        insert_owing(collection, "doc{}".format(number), [owed_sms_event("2026-000001", "m{}".format(number))])
    decoded = []
    real_decode = collection_module.decode
    monkeypatch.setattr(collection_module, "decode", lambda text: decoded.append(1) or real_decode(text))

    assert outbox.relay_collection(collection, RecordingPublisher(), batch_size=100) == 100

    assert len(decoded) <= 5 * 100
    assert collection.count_documents({"outbox_pending": True}) == 0
