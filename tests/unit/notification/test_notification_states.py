"""Notification's message states only move forward (issue 5): queued → sending → sent →
delivered | failed. The rules in domain, the conditional writes in the store."""
from datetime import timedelta

import pytest

from common import clock
from contracts.events import new_event
from services.notification import domain
from services.notification.domain import DELIVERED, FAILED, MAX_AGE, MAX_ATTEMPTS, QUEUED, SENDING, SENT
from services.notification.providers import DeliveryReport, SendReceipt
from tests.support.samples import APPLICANT_PHONE_E164 as PHONE

NUMBER = "2026-000001"


def new_message(store, received_event, number=NUMBER, now=None, **changes):
    message = domain.received_message(received_event(number), now or clock.now())
    message.update(changes)
    store.enqueue(message)
    return message


@pytest.fixture
def message(store, received_event):
    """NUMBER's received SMS, claimed for sending (state ``sending``)."""
    queued = new_message(store, received_event)
    now = clock.now()
    claimed = store.claim_next(now, now + domain.SENDING_LEASE)
    assert claimed["_id"] == queued["_id"]
    return claimed


def stored(store, message):
    return store.messages.find_one({"_id": message["_id"]})


def ms(moment):
    """``moment`` as a store gives it back: to the millisecond."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def owed(store, message):
    return [event["event_name"] for event in stored(store, message).get("outbox", [])]


def delivered_event(message):
    return domain.delivered_event(message, "verimor")


def failed_event(message, reason="EXPIRED"):
    return domain.failed_event(message, "verimor", reason)


# domain: the order of states

@pytest.mark.parametrize("state, earlier", [
    (QUEUED, set()),
    (SENDING, {QUEUED}),
    (SENT, {QUEUED, SENDING}),
    (DELIVERED, {QUEUED, SENDING, SENT, FAILED}),
    (FAILED, {QUEUED, SENDING, SENT}),
])
def test_states_before_a_state_are_the_earlier_ones(state, earlier):
    assert set(domain.states_before(state)) == earlier


def test_delivered_is_final_and_a_late_delivery_overrides_failed():
    """A handset can report delivery after we gave up; a failure after delivery is not news."""
    assert DELIVERED not in domain.states_before(FAILED)
    assert FAILED in domain.states_before(DELIVERED)


# domain: when to give up

def test_a_young_message_with_attempts_left_is_tried_again():
    now = clock.now()

    assert not domain.gives_up({"attempts": MAX_ATTEMPTS - 1, "created_at": now - MAX_AGE + timedelta(minutes=1)},
                               now)


def test_giving_up_is_bounded_by_attempts():
    now = clock.now()

    assert domain.gives_up({"attempts": MAX_ATTEMPTS, "created_at": now}, now)
    assert domain.gives_up({"attempts": MAX_ATTEMPTS + 3, "created_at": now}, now)


def test_giving_up_is_bounded_by_age_from_created_at():
    now = clock.now()

    assert domain.gives_up({"attempts": 1, "created_at": now - MAX_AGE}, now)
    assert domain.gives_up({"attempts": 0, "created_at": now - MAX_AGE - timedelta(hours=5)}, now)
    assert not domain.gives_up({"attempts": 1, "created_at": now - MAX_AGE + timedelta(seconds=1)}, now)


def test_max_age_is_a_day():
    assert MAX_AGE == timedelta(hours=24)


# store.advance: conditional, forward only

def test_advance_moves_forward_and_owes_the_event_in_the_same_write(store, message):
    now = clock.now()

    assert store.advance(message["_id"], FAILED, {"failed_at": now}, failed_event(message), now) is True

    document = stored(store, message)
    assert document["state"] == FAILED
    assert document["updated_at"] == ms(now) and document["failed_at"] == ms(now)
    assert document["outbox_pending"] is True
    assert owed(store, message) == ["sms_failed"]


def test_advance_without_an_event_owes_nothing(store, message):
    now = clock.now()

    assert store.advance(message["_id"], SENT, {"sent_at": now}, None, now) is True

    document = stored(store, message)
    assert (document["state"], document["sent_at"]) == (SENT, ms(now))
    assert not document.get("outbox_pending") and owed(store, message) == []


def test_advance_replayed_changes_nothing_and_owes_nothing_more(store, message):
    now = clock.now()
    store.advance(message["_id"], DELIVERED, {"delivered_at": now}, delivered_event(message), now)
    before = stored(store, message)

    later = now + timedelta(minutes=5)
    assert store.advance(message["_id"], DELIVERED, {"delivered_at": later}, delivered_event(message),
                         later) is False

    assert stored(store, message) == before


@pytest.mark.parametrize("first, late", [(DELIVERED, SENT), (FAILED, SENT), (DELIVERED, FAILED)])
def test_a_late_state_changes_nothing(store, message, first, late):
    events = {SENT: lambda message: None, DELIVERED: delivered_event, FAILED: failed_event}
    now = clock.now()
    assert store.advance(message["_id"], first, {}, events[first](message), now) is True
    before = stored(store, message)

    assert store.advance(message["_id"], late, {"last_error": "late"}, events[late](message),
                         now + timedelta(seconds=1)) is False

    assert stored(store, message) == before


def test_delivered_may_follow_sent_and_owes_its_own_event(store, message):
    now = clock.now()
    store.advance(message["_id"], SENT, {}, None, now)

    assert store.advance(message["_id"], DELIVERED, {}, delivered_event(message), now) is True

    assert stored(store, message)["state"] == DELIVERED
    assert owed(store, message) == ["sms_delivered"]


def test_advance_of_an_unknown_message_is_false(store):
    assert store.advance("no-such-message", DELIVERED, {}, new_event(
        "sms_delivered", NUMBER, message_id="no-such-message", template=domain.RECEIVED, provider="verimor"),
        clock.now()) is False
    assert store.messages.count_documents({}) == 0


# store: the dispatcher's writes

def test_mark_sent_records_the_provider_and_owes_no_event(store, message):
    now = clock.now()

    store.mark_sent([message["_id"]], SendReceipt("verimor", "20121"), now)

    document = stored(store, message)
    assert (document["state"], document["provider"], document["provider_message_id"]) == (SENT, "verimor", "20121")
    assert document["sent_at"] == ms(now)
    assert owed(store, message) == []


def test_mark_sent_of_a_batch_is_one_write_and_moves_only_those_short_of_sent(store, message, received_event):
    """A Verimor campaign: one provider id for every message in it."""
    other = new_message(store, received_event, "2026-000002")
    store.advance(message["_id"], DELIVERED, {}, None, clock.now())  # its report came first
    writes = count_calls(store.messages, "update_many")

    store.mark_sent([message["_id"], other["_id"]], SendReceipt("verimor", "20121"), clock.now())

    assert [stored(store, each)["state"] for each in (message, other)] == [DELIVERED, SENT]
    assert {stored(store, each)["provider_message_id"] for each in (message, other)} == {"20121"}
    assert writes() == 2  # the second only because a report was first


def test_mark_sent_of_a_batch_in_the_usual_case_is_one_write(store, received_event):
    ids = [new_message(store, received_event, f"2026-00001{i}")["_id"] for i in range(3)]
    writes = count_calls(store.messages, "update_many")

    store.mark_sent(ids, SendReceipt("verimor", "20122"), clock.now())

    assert writes() == 1
    assert [message["state"] for message in store.messages.find({"_id": {"$in": ids}})] == [SENT] * 3


def count_calls(collection, method):
    """Counts calls of ``collection.method`` from now on; returns the count's reader."""
    calls, original = [], getattr(collection, method)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    setattr(collection, method, counted)
    return lambda: len(calls)


def test_mark_sent_after_a_delivery_report_keeps_the_provider_id_and_the_delivered_state(store, message):
    now = clock.now()
    store.advance(message["_id"], DELIVERED, {"delivered_at": now}, delivered_event(message), now)

    store.mark_sent([message["_id"]], SendReceipt("verimor", "20121"), now)

    document = stored(store, message)
    assert document["state"] == DELIVERED
    assert (document["provider"], document["provider_message_id"]) == ("verimor", "20121")
    assert owed(store, message) == ["sms_delivered"]
    report = DeliveryReport(message_id=None, provider_message_id="20121", state="delivered")
    assert store.find_reported(report, "verimor")["_id"] == message["_id"]


def test_mark_retry_puts_a_sending_message_back_in_the_queue(store, message):
    now = clock.now()
    later = now + timedelta(seconds=30)

    store.mark_retry(message["_id"], later, "provider busy", now)

    document = stored(store, message)
    assert (document["state"], document["next_attempt_at"], document["last_error"]) == (
        QUEUED, ms(later), "provider busy")
    assert document["updated_at"] == ms(now)
    assert "outbox" not in document


@pytest.mark.parametrize("state", [QUEUED, SENT, DELIVERED, FAILED])
def test_mark_retry_only_from_sending(store, message, state):
    store.messages.update_one({"_id": message["_id"]}, {"$set": {"state": state}})
    before = stored(store, message)

    store.mark_retry(message["_id"], clock.now() + timedelta(seconds=30), "provider busy", clock.now())

    assert stored(store, message) == before


def test_mark_failed_owes_sms_failed_with_the_reason(store, message):
    now = clock.now()

    store.mark_failed(message["_id"], "number barred", failed_event(message, "number barred"), now)

    document = stored(store, message)
    assert (document["state"], document["last_error"], document["updated_at"]) == (FAILED, "number barred", ms(now))
    assert document["provider"] == failed_event(message, "")["provider"]  # who refused it, shown on the record
    [event] = document["outbox"]
    assert (event["event_name"], event["reason"]) == ("sms_failed", "number barred")


def test_mark_failed_after_delivered_changes_nothing(store, message):
    now = clock.now()
    store.advance(message["_id"], DELIVERED, {}, delivered_event(message), now)
    before = stored(store, message)

    store.mark_failed(message["_id"], "timed out", failed_event(message, "timed out"), now)

    assert stored(store, message) == before


# store: recipients and reading messages back

def test_recipient_keeps_the_province_code(store):
    store.remember_recipient(NUMBER, PHONE, "tr", "34")

    recipient = store.recipient(NUMBER)
    assert (recipient["phone"], recipient["language"], recipient["province_code"]) == (PHONE, "tr", "34")
    assert store.phone_for(NUMBER) == PHONE


def test_remembering_a_recipient_again_keeps_one_record(store):
    store.remember_recipient(NUMBER, PHONE, "tr", "34")
    store.remember_recipient(NUMBER, PHONE, "en", "34")

    assert store.recipients.count_documents({}) == 1
    assert store.recipient(NUMBER)["language"] == "en"


def test_a_report_finds_its_message_by_our_id_first(store, message):
    store.mark_sent([message["_id"]], SendReceipt("verimor", "20121"), clock.now())

    by_ours = DeliveryReport(message_id=message["_id"], provider_message_id="other", state="delivered")
    by_theirs = DeliveryReport(message_id=None, provider_message_id="20121", state="delivered")
    unknown = DeliveryReport(message_id=None, provider_message_id="99999", state="delivered")

    assert store.find_reported(by_ours, "verimor")["_id"] == message["_id"]
    assert store.find_reported(by_theirs, "verimor")["_id"] == message["_id"]
    assert store.find_reported(unknown, "verimor") is None


def test_messages_of_an_application_come_oldest_first_and_only_its_own(store, received_event):
    now = clock.now()
    received = new_message(store, received_event, now=now)
    concluded = domain.concluded_message({"application_no": NUMBER}, "tr", now + timedelta(days=2))
    store.enqueue(concluded)
    new_message(store, received_event, number="2026-000002", now=now)

    assert [message["_id"] for message in store.for_application(NUMBER)] == [received["_id"], concluded["_id"]]
    assert store.for_application("2026-000404") == []


def test_failed_messages_are_found_by_the_recipients_province(store, received_event):
    now = clock.now()
    for number, province in (("2026-000001", "06"), ("2026-000002", "34"), ("2026-000003", "06"),
                             ("2026-000004", "06")):
        store.remember_recipient(number, PHONE, "tr", province)
        now += timedelta(seconds=1)
        new_message(store, received_event, number=number, now=now, state=FAILED if number != "2026-000004" else SENT)

    assert [message["application_no"] for message in store.failed_in_province("06", 10)] == [
        "2026-000003", "2026-000001"]  # the latest first
    assert [message["application_no"] for message in store.failed_in_province("34", 10)] == ["2026-000002"]
    assert len(store.failed_in_province("06", 1)) == 1
    assert store.failed_in_province("35", 10) == []


# domain: what staff see of a message

def test_message_view_has_no_phone_and_no_text(store, message):
    store.remember_recipient(NUMBER, PHONE, "tr", "34")

    view = domain.message_view(stored(store, message))

    assert set(view) == {"message_id", "application_no", "template", "channel", "state", "attempts", "provider",
                         "last_error", "created_at", "updated_at", "sent_at", "delivered_at", "failed_at"}
    assert (view["message_id"], view["application_no"], view["state"], view["attempts"]) == (
        message["_id"], NUMBER, SENDING, 1)
    assert view["provider"] is None and view["last_error"] is None
    for private in (PHONE, message["text"], message["values"]["tracking_code"]):
        assert private not in str(view)


def test_message_view_times_are_iso_with_an_offset_and_updated_falls_back_to_created(store, message):
    view = domain.message_view(stored(store, message))

    assert clock.from_iso(view["created_at"]) == message["created_at"].replace(microsecond=0)
    assert clock.from_iso(view["created_at"]).utcoffset() == timedelta(hours=3)
    assert view["updated_at"] == view["created_at"]

    later = clock.now() + timedelta(minutes=1)
    store.advance(message["_id"], SENT, {}, None, later)
    assert clock.from_iso(domain.message_view(stored(store, message))["updated_at"]) == later.replace(microsecond=0)


def test_a_delivery_reported_after_we_gave_up_is_recorded(store, message):
    now = clock.now()
    store.advance(message["_id"], FAILED, {"last_error": "gave up"}, failed_event(message, "gave up"), now)

    assert store.advance(message["_id"], DELIVERED, {}, delivered_event(message), now) is True
    assert stored(store, message)["state"] == DELIVERED
