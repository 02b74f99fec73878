import copy
from datetime import timedelta

import pytest

from common import clock, outbox
from contracts.events import new_event


def owed_sms_event(application_no, message_id):
    return new_event("sms_sent", application_no, message_id=message_id,
                     template="application_received", provider="verimor")


class RecordingPublisher:
    """Publishes a batch by recording it; confirms every event but those whose ids are in ``refuse``."""

    def __init__(self, refuse=()):
        self.batches = []
        self.refuse = set(refuse)

    def __call__(self, events):
        self.batches.append(list(events))
        return {event["event_id"] for event in events if event["event_id"] not in self.refuse}

    @property
    def published(self):
        return [event for batch in self.batches for event in batch if event["event_id"] not in self.refuse]


class CountingCollection:
    """The collection, recording the name of every store operation the relay makes on it."""

    def __init__(self, collection, before_first=None):
        self.collection = collection
        self.operations = []
        self.before_first = before_first or {}  # operation name -> called once before the first such call

    def __getattr__(self, name):
        method = getattr(self.collection, name)

        def counted(*args, **kwargs):
            self.operations.append(name)
            hook = self.before_first.pop(name, None)
            if hook is not None:
                hook()
            return method(*args, **kwargs)
        return counted


@pytest.fixture
def collection(database_on_each_engine):
    collection = database_on_each_engine.get_collection("messages")
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
    assert document["outbox_lease"] is None


def test_a_batch_of_documents_is_published_at_once_and_cleared_in_one_write(collection):
    for number in range(50):
        insert_owing(collection, "doc{:02}".format(number), [owed_sms_event("2026-000001", "m{}".format(number))])
    counting = CountingCollection(collection)
    publish = RecordingPublisher()

    assert outbox.relay_collection(counting, publish, batch_size=100) == 50

    assert len(publish.batches) == 1 and len(publish.batches[0]) == 50
    # free documents, their lease, lapsed leases (none), the clearing
    assert counting.operations == ["find", "update_many", "find", "update_many"]
    assert collection.count_documents({"outbox_pending": True}) == 0


def test_without_looking_for_lapsed_leases_a_batch_takes_three_store_operations(collection):
    for number in range(10):
        insert_owing(collection, "doc{}".format(number), [owed_sms_event("2026-000001", "m{}".format(number))])
    counting = CountingCollection(collection)

    assert outbox.relay_collection(counting, RecordingPublisher(), batch_size=100, look_for_lapsed=False) == 10

    assert counting.operations == ["find", "update_many", "update_many"]
    assert collection.count_documents({"outbox_pending": True}) == 0


def test_lapsed_leases_are_left_alone_when_not_looked_for(collection):
    insert_owing(collection, "m1", [owed_sms_event("2026-000001", "m1")])
    collection.update_one({"_id": "m1"}, {"$set": {outbox.LEASE: clock.now() - timedelta(seconds=1)}})
    publish = RecordingPublisher()

    assert outbox.relay_collection(collection, publish, batch_size=10, look_for_lapsed=False) == 0
    assert outbox.relay_collection(collection, publish, batch_size=10) == 1
    assert collection.find_one("m1")["outbox_pending"] is False


def test_documents_owing_different_numbers_of_events_take_one_clearing_write_per_number(collection):
    insert_owing(collection, "one", [owed_sms_event("2026-000001", "m1")])
    insert_owing(collection, "two", [owed_sms_event("2026-000002", "m2"), owed_sms_event("2026-000002", "m3")])
    counting = CountingCollection(collection)

    outbox.relay_collection(counting, RecordingPublisher(), batch_size=10)

    assert counting.operations.count("update_many") == 1 + 2  # the lease, one clearing per count
    assert collection.count_documents({"outbox_pending": True}) == 0


def test_an_event_owed_while_the_relay_publishes_stays_owed(collection):
    first, late = owed_sms_event("2026-000001", "m1"), owed_sms_event("2026-000001", "m2")
    insert_owing(collection, "doc", [first])
    publish = RecordingPublisher()

    def publish_while_the_service_writes(events):
        collection.update_one({"_id": "doc"}, outbox.owe({"$set": {"state": "sent"}}, [late]))
        return publish(events)

    outbox.relay_collection(collection, publish_while_the_service_writes, batch_size=10)

    document = collection.find_one({"_id": "doc"})
    assert event_ids(document["outbox"]) == [late["event_id"]]
    assert document["outbox_pending"] is True
    outbox.relay_collection(collection, publish, batch_size=10)
    assert event_ids(publish.published) == [first["event_id"], late["event_id"]]
    assert collection.find_one({"_id": "doc"})["outbox_pending"] is False


def test_a_document_keeps_its_events_from_the_first_unconfirmed_one_on_in_order(collection):
    first, refused, last = (owed_sms_event("2026-000001", "m{}".format(n)) for n in range(3))
    insert_owing(collection, "doc", [first, refused, last])
    publish = RecordingPublisher(refuse=[refused["event_id"]])

    outbox.relay_collection(collection, publish, batch_size=10)

    document = collection.find_one({"_id": "doc"})
    assert event_ids(document["outbox"]) == event_ids([refused, last])
    assert document["outbox_pending"] is True
    assert document["outbox_lease"] is None


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


def test_a_publisher_that_fails_leaves_every_event_owed_and_no_lease_held(collection):
    events = [owed_sms_event("2026-000001", "m1"), owed_sms_event("2026-000001", "m2")]
    insert_owing(collection, "doc", events)

    def broker_gone(events):
        raise ConnectionError("broker gone")

    with pytest.raises(ConnectionError):
        outbox.relay_collection(collection, broker_gone, batch_size=10)

    document = collection.find_one({"_id": "doc"})
    assert event_ids(document["outbox"]) == event_ids(events)
    assert document["outbox_pending"] is True
    assert document["outbox_lease"] is None
    publish = RecordingPublisher()
    outbox.relay_collection(collection, publish, batch_size=10)
    assert event_ids(publish.published) == event_ids(events)


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
    seen_by_second = RecordingPublisher()

    def first_publish(events):
        # While the first relay holds the document, a second relay (another process) runs.
        outbox.relay_collection(collection, seen_by_second, batch_size=10)
        return {event["event_id"] for event in events}

    outbox.relay_collection(collection, first_publish, batch_size=10)

    assert seen_by_second.batches == []
    assert collection.find_one("m1")["outbox"] == []


def test_a_document_another_relay_leases_between_lookup_and_lease_is_left_to_it(collection):
    insert_owing(collection, "a", [owed_sms_event("2026-000001", "m1")])
    insert_owing(collection, "b", [owed_sms_event("2026-000002", "m2")])

    def another_relay_leases_a():
        collection.update_one({"_id": "a"}, {"$set": {outbox.LEASE: clock.now() + outbox.LEASE_DURATION,
                                                      outbox.CLAIM: "theirs"}})

    publish = RecordingPublisher()
    counting = CountingCollection(collection, before_first={"update_many": another_relay_leases_a})

    assert outbox.relay_collection(counting, publish, batch_size=10) == 1

    assert [event["application_no"] for event in publish.published] == ["2026-000002"]
    a = collection.find_one("a")
    assert a["outbox_pending"] is True and a[outbox.CLAIM] == "theirs"
    assert a[outbox.LEASE] is not None


def test_a_document_another_relay_cleared_and_the_service_owed_again_before_the_lease_is_read_again(collection):
    earlier, later = owed_sms_event("2026-000001", "m1"), owed_sms_event("2026-000001", "m2")
    insert_owing(collection, "a", [earlier])

    def another_relay_clears_a_then_the_service_owes_more():
        collection.update_one({"_id": "a"}, {"$set": {outbox.CLAIM: "theirs", "outbox": [],
                                                      outbox.PENDING: False, outbox.LEASE: None}})
        collection.update_one({"_id": "a"}, outbox.owe({"$set": {"state": "sent"}}, [later]))

    publish = RecordingPublisher()
    counting = CountingCollection(
        collection, before_first={"update_many": another_relay_clears_a_then_the_service_owes_more})

    assert outbox.relay_collection(counting, publish, batch_size=10) == 0  # not the events it read

    assert publish.batches == []
    assert event_ids(collection.find_one("a")["outbox"]) == [later["event_id"]]
    outbox.relay_collection(collection, publish, batch_size=10)
    assert event_ids(publish.published) == [later["event_id"]]


def test_a_lease_left_by_a_crashed_relay_runs_out(collection):
    events = [owed_sms_event("2026-000001", "m1")]
    insert_owing(collection, "m1", events)
    collection.update_one({"_id": "m1"}, {"$set": {outbox.LEASE: clock.now() + timedelta(seconds=5)}})
    publish = RecordingPublisher()

    outbox.relay_collection(collection, publish, batch_size=10)
    assert publish.batches == []
    outbox.relay_collection(collection, publish, batch_size=10,
                            now=clock.now() + outbox.LEASE_DURATION + timedelta(seconds=5))
    assert event_ids(publish.published) == event_ids(events)
    assert collection.find_one("m1")["outbox_pending"] is False


def insert_leased(collection, document_id, events, claim="ours", now=None):
    document = outbox.leased_to(claim, dict({"_id": document_id}, **outbox.new_document_fields(events)),
                                now or clock.now())
    collection.insert_one(document)
    return {"_id": document_id, "outbox": document["outbox"]}


def test_documents_written_leased_go_out_from_their_relay_in_one_batch_and_one_clearing_write(collection):
    handed = [insert_leased(collection, "doc{}".format(n), [owed_sms_event("2026-000001", "m{}".format(n))])
              for n in range(5)]
    counting = CountingCollection(collection)
    publish = RecordingPublisher()

    outbox.relay_handed(counting, handed, "ours", publish)

    assert len(publish.batches) == 1
    assert event_ids(publish.published) == [document["outbox"][0]["event_id"] for document in handed]
    assert counting.operations == ["update_many"]  # no claim: no lookup, no lease written
    assert collection.count_documents({"outbox_pending": True}) == 0
    assert collection.count_documents({outbox.LEASE: None}) == 5


def test_a_document_written_leased_is_left_alone_by_other_relays_until_its_lease_runs_out(collection):
    """Its process died between the write and the hand-over: another relay (or the restarted one)
    takes it once the lease has lapsed."""
    events = [owed_sms_event("2026-000001", "m1")]
    insert_leased(collection, "m1", events, claim="a process that died")
    publish = RecordingPublisher()

    assert outbox.relay_collection(collection, publish, batch_size=10) == 0
    later = clock.now() + outbox.HANDED_LEASE + timedelta(seconds=1)
    assert outbox.relay_collection(collection, publish, batch_size=10, now=later) == 1
    assert event_ids(publish.published) == event_ids(events)
    assert collection.find_one("m1")["outbox_pending"] is False


def test_a_handed_document_the_broker_did_not_confirm_is_released_for_any_relay(collection):
    events = [owed_sms_event("2026-000001", "m1")]
    handed = [insert_leased(collection, "m1", events)]

    outbox.relay_handed(collection, handed, "ours", RecordingPublisher(refuse=event_ids(events)))

    document = collection.find_one("m1")
    assert event_ids(document["outbox"]) == event_ids(events) and document["outbox_lease"] is None
    publish = RecordingPublisher()
    assert outbox.relay_collection(collection, publish, batch_size=10) == 1
    assert event_ids(publish.published) == event_ids(events)


def test_a_handed_document_another_relay_took_after_its_lease_lapsed_is_left_to_that_relay(collection):
    events = [owed_sms_event("2026-000001", "m1")]
    handed = [insert_leased(collection, "m1", events, now=clock.now() - outbox.HANDED_LEASE - timedelta(seconds=1))]
    outbox._claim(collection, 10, clock.now(), look_for_lapsed=True)  # another relay, still publishing
    taken = collection.find_one("m1")

    outbox.relay_handed(collection, handed, "ours", RecordingPublisher())

    assert collection.find_one("m1") == taken  # still owed, still the other relay's lease


def test_a_batch_decodes_each_owing_document_once_per_store_operation(tmp_path, monkeypatch):
    """On the embedded store: the lookup is an exact index lookup (pending, no lease) and the two
    writes go by ``_id`` without decoding a document twice, so a batch of 100 decodes 300 (a ``$or``
    over leases decoded ~5,000, a claim per document ~600)."""
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

    assert len(decoded) <= 3 * 100
    assert collection.count_documents({"outbox_pending": True}) == 0
