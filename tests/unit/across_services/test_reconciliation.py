"""The reconciliation checker against embedded stores written by the real store classes, the
way each service writes them (intake's record and the event it owes, then each consumer's
handling of that event), plus the fake provider's record of each SMS it took."""
import time
import uuid

import pytest

from common import clock
from common.storage import connect
from contracts.events import new_event
from contracts.intake.requests import CITIZEN_CHANNELS, validate_application
from services.intake import domain as intake
from services.intake.store import IntakeStore
from services.notification import domain as notification
from services.notification.store import NotificationStore
from services.notification.templates import render
from services.routing import domain as routing
from services.routing.store import RoutingStore
from services.tracking import domain as tracking
from services.tracking.store import TrackingStore
from tests.support.reconciliation import received_sms_number, reconcile, wait_reconciled
from tests.support.samples import application_body

STORES = {"intake": IntakeStore, "routing": RoutingStore, "notification": NotificationStore,
          "tracking": TrackingStore}


class World:
    """Every service's store in ``data_dir`` and the fake provider's accepted sends."""

    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.clients = {}
        self.stores = {}
        for service, store_class in STORES.items():
            self.clients[service] = connect("sqlite:///{}/{}.db".format(data_dir, service))
            self.stores[service] = store_class(self.clients[service].get_database(service))
            self.stores[service].create_indexes()
        self.sms = []

    def close(self):
        for client in self.clients.values():
            client.close()

    def submit(self, key=None):
        """What intake's submit_application stores: (number, the application_received it owes)."""
        body = application_body()
        application = validate_application(body, allowed_channels=CITIZEN_CHANNELS)
        received_at = clock.now()
        number = intake.application_number(
            received_at, self.stores["intake"].next_sequence(intake.sequence_name(received_at)))
        document = intake.new_application(application, number, received_at,
                                          intake.scoped_idempotency_key("citizen", key), intake.fingerprint(body))
        stored = self.stores["intake"].insert_application(document)
        return stored["application_no"], stored["outbox"][0]

    def route(self, event):
        self.stores["routing"].add_to_queue(routing.queued_application(event, None))

    def track(self, event):
        self.stores["tracking"].apply(event["application_no"], event["event_id"], *tracking.received(event))

    def queue_sms(self, event):
        """Notification's handling: the recipient and the "received" message; its text."""
        store = self.stores["notification"]
        store.remember_recipient(event["application_no"], event["phone"], event["language"], event["province_code"])
        message = notification.received_message(event, clock.now())
        store.enqueue(message)
        return message

    def provider_took(self, message, status="WAITING"):
        """A send as the Verimor fake records it."""
        self.sms.append({"received_at": time.time(), "message_id": message["_id"], "dest": "905321234567",
                         "msg": message["text"], "status": status})

    def flow(self, key=None):
        """A submission all the way: every consumer handled the event, the provider took the SMS."""
        number, event = self.submit(key)
        self.route(event)
        self.track(event)
        self.provider_took(self.queue_sms(event))
        return number

    def reconcile(self, told, **options):
        return reconcile(told, self.data_dir, self.sms, **options)


@pytest.fixture
def world(tmp_path):
    world = World(tmp_path)
    yield world
    world.close()


def findings(report):
    """{place: {finding: numbers}} of what is not clean."""
    found = {}
    for name, place in report.places.items():
        for finding in ("lost", "duplicated", "unexpected"):
            if getattr(place, finding):
                found.setdefault(name, {})[finding] = getattr(place, finding)
    return found


def test_a_consistent_state_is_clean(world):
    told = {world.flow(), world.flow(key="k-2"), world.flow()}

    report = world.reconcile(told)

    assert report.clean, report
    assert findings(report) == {}
    assert report.told == 3 and report.accounted == []
    assert "clean" in str(report) and "NOT" not in str(report)


def test_an_event_that_reached_no_consumer_is_lost_downstream(world):
    complete = world.flow()
    stuck, _ = world.submit()  # stored, its event never published

    report = world.reconcile({complete, stuck})

    assert not report.clean
    assert findings(report) == {place: {"lost": [stuck]}
                                for place in ("routing", "notification", "tracking", "sms_received")}
    assert "routing lost: {}".format(stuck) in str(report)


def test_a_told_number_intake_does_not_hold_is_lost_everywhere(world):
    complete = world.flow()

    report = world.reconcile({complete, "2026-999999"})

    assert {place: found["lost"] for place, found in findings(report).items()} == {
        place: ["2026-999999"] for place in report.places}


def test_each_consumer_missing_its_part_is_lost_there_only(world):
    routed_only, event = world.submit()
    world.route(event)
    tracked_only, event = world.submit()
    world.track(event)
    queued_not_sent, event = world.submit()
    world.route(event)
    world.track(event)
    world.queue_sms(event)

    report = world.reconcile({routed_only, tracked_only, queued_not_sent})

    assert report.intake.clean
    assert report.routing.lost == [tracked_only]
    assert report.tracking.lost == [routed_only]
    assert report.notification.lost == sorted([routed_only, tracked_only])
    assert report.sms_received.lost == sorted([routed_only, tracked_only, queued_not_sent])


def test_a_second_sms_for_the_same_number_is_duplicated(world):
    number, event = world.submit()
    world.route(event)
    world.track(event)
    message = world.queue_sms(event)
    world.provider_took(message)
    world.provider_took(message)  # resent after a lost answer, and the provider sent it again

    report = world.reconcile({number})

    assert findings(report) == {"sms_received": {"duplicated": [number]}}


def test_a_copy_the_provider_refused_to_deliver_is_not_a_duplicate(world):
    number, event = world.submit()
    world.route(event)
    world.track(event)
    message = world.queue_sms(event)
    world.provider_took(message)
    world.provider_took(message, status="DOUBLE_SEND_ERROR")  # Verimor takes the copy, sends nothing

    assert world.reconcile({number}).clean


def test_an_answered_sms_is_not_a_received_one(world):
    number = world.flow()
    world.sms.append({"msg": render("application_answered", "tr", {"application_no": number}), "status": "WAITING"})

    assert world.reconcile({number}).clean


def test_the_received_event_applied_twice_under_two_ids_is_duplicated_in_tracking(world):
    number = world.flow()
    # The same fact published again as another event (a new id): the citizen would see it twice.
    world.track(dict(_received_event_of(world, number), event_id=uuid.uuid4().hex))

    report = world.reconcile({number})

    assert findings(report) == {"tracking": {"duplicated": [number]}}


def test_a_redelivered_event_changes_nothing(world):
    number = world.flow()
    event = _received_event_of(world, number)
    world.route(event)
    world.track(event)
    world.queue_sms(event)  # notification's unique (application, template) refuses the copy

    assert world.reconcile({number}).clean


def test_a_tracking_document_made_by_a_later_event_alone_is_not_held(world):
    number, event = world.submit()
    world.route(event)
    world.provider_took(world.queue_sms(event))
    sent = new_event("sms_sent", number, message_id=uuid.uuid4().hex, template="application_received",
                     provider="verimor")
    world.stores["tracking"].apply(number, sent["event_id"], *tracking.sms_state(sent, "sent"))

    report = world.reconcile({number})

    assert findings(report) == {"tracking": {"lost": [number]}}


def test_a_record_nobody_was_told_of_is_unexpected_at_intake_only(world):
    told = world.flow()
    untold = world.flow(key="lost-answer")

    report = world.reconcile({told})

    # Downstream holds what intake holds: reported once, where it started.
    assert findings(report) == {"intake": {"unexpected": [untold]}}
    assert "intake unexpected: {}".format(untold) in str(report)


def test_an_unanswered_attempt_accounts_for_its_record_by_its_key(world):
    told = world.flow()
    untold = world.flow(key="lost-answer")

    report = world.reconcile({told}, unanswered=["lost-answer"])

    assert report.clean, report
    assert report.accounted == [untold]


def test_an_unanswered_attempt_with_another_key_accounts_for_nothing(world):
    told = world.flow()
    untold = world.flow(key="lost-answer")

    report = world.reconcile({told}, unanswered=["some-other-key"])

    assert report.intake.unexpected == [untold] and report.accounted == []


def test_keyless_records_are_accounted_for_only_up_to_the_keyless_unanswered_attempts(world):
    told = world.flow()
    first, second = world.flow(), world.flow()

    assert world.reconcile({told}, unanswered=[None, None]).clean
    # One lost answer cannot explain two records, and which one it explains cannot be told.
    report = world.reconcile({told}, unanswered=[None])
    assert report.intake.unexpected == sorted([first, second])


def test_an_accounted_record_is_still_owed_downstream(world):
    told = world.flow()
    untold, _ = world.submit(key="lost-answer")  # stored; the event never went out

    report = world.reconcile({told}, unanswered=["lost-answer"])

    assert report.intake.clean and report.accounted == [untold]
    assert report.routing.lost == [untold] and report.sms_received.lost == [untold]


def test_a_phantom_downstream_is_unexpected_there(world):
    told = world.flow()
    phantom = _received_event_of(world, told)
    phantom = dict(phantom, application_no="2026-888888", event_id=uuid.uuid4().hex)
    world.route(phantom)
    world.track(phantom)

    report = world.reconcile({told})

    assert findings(report) == {"routing": {"unexpected": ["2026-888888"]},
                                "tracking": {"unexpected": ["2026-888888"]}}


def test_missing_store_files_hold_nothing(tmp_path):
    assert reconcile(set(), tmp_path, []).clean
    report = reconcile({"2026-000001"}, tmp_path, [])
    assert all(place.lost == ["2026-000001"] for place in report.places.values())
    assert not any(tmp_path.iterdir())  # checking creates no store file


def test_wait_reconciled_polls_until_the_system_converges(world):
    number, event = world.submit()
    world.route(event)
    world.track(event)
    message = world.queue_sms(event)
    calls = []

    def sms_messages():  # the provider takes the SMS on the third look
        calls.append(1)
        return world.sms + ([] if len(calls) < 3 else [_as_taken(message)])

    report = wait_reconciled({number}, world.data_dir, sms_messages, timeout=10, interval=0.01)

    assert report.clean, report
    assert len(calls) == 3


def test_wait_reconciled_gives_the_last_report_at_the_timeout(world):
    number, _ = world.submit()

    started = time.monotonic()
    report = wait_reconciled({number}, world.data_dir, world.sms, timeout=0.3, interval=0.05)

    assert time.monotonic() - started < 3
    assert not report.clean and report.routing.lost == [number]


def test_received_sms_number_reads_both_languages_and_nothing_else():
    values = {"application_no": "2026-000123", "tracking_code": "K7M2PQ9X", "tracking_url": "acikkapi.gov.tr"}
    assert received_sms_number(render("application_received", "tr", values)) == "2026-000123"
    assert received_sms_number(render("application_received", "en", values)) == "2026-000123"
    assert received_sms_number(render("application_answered", "tr", values)) is None
    assert received_sms_number("Başvuru no: 2026-000123") is None


def test_the_report_text_is_capped_for_many_numbers(world):
    told = {"2026-{:06d}".format(n) for n in range(100, 150)}

    text = str(world.reconcile(told))

    assert "NOT clean" in text and "… and 30 more" in text


def _received_event_of(world, number):
    """The application_received intake owed for ``number``, as the stored record holds it."""
    document = world.stores["intake"].find_application(number)
    [event] = document["outbox"]
    return event


def _as_taken(message):
    return {"received_at": time.time(), "message_id": message["_id"], "msg": message["text"], "status": "WAITING"}
