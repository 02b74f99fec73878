"""Failed SMS on the admin screen (issue 18): the time of each state a message reached, why a failed
one failed, and an admin's resend — once, in the admin's province, not when the number was at
fault, through the normal dispatcher. On mongomock and on the embedded store."""
from datetime import timedelta

import pytest
from nameko.testing.services import worker_factory
from pymongo import ASCENDING

from common import clock
from common.errors import Conflict, NotFound
from messages import by_language
from services.notification import domain
from services.notification.delivery_reports import apply_reports
from services.notification.domain import DELIVERED, FAILED, QUEUED, SENT
from services.notification.providers import DeliveryReport, SmsSendError
from services.notification.service import NotificationService
from services.notification.store import ONE_PER_TEMPLATE, ONE_PER_TEMPLATE_AND_RESEND, NotificationStore
from tests.support.samples import APPLICANT_PHONE_E164 as PHONE
from tests.support.samples import staff_principal
from tests.unit.notification.test_sms_dispatch import Provider, make_dispatcher

NUMBER = "2026-000001"
ANKARA_ADMIN = staff_principal("ankara.admin")
ISTANBUL_ADMIN = staff_principal("istanbul.admin")
PROVIDER_DOWN = "verimor: HTTP 503 Service Unavailable"
INVALID_NUMBER = "INVALID_DESTINATION_ADDRESS gsm_error=1"
ONE_PER_FACT_INDEX = "application_no_1_template_1_resend_of_1_occasion_1"


@pytest.fixture
def store(database_on_each_engine):
    """Notification's store on each engine (the unique key of a resend is an index matter)."""
    store = NotificationStore(database_on_each_engine)
    store.create_indexes()
    return store


@pytest.fixture
def notification(store, kick_counter):
    return worker_factory(NotificationService, messages=store, send_queued_sms=kick_counter)


def received(notification, received_event, number=NUMBER, province_code="06"):
    notification.handle_application_received(received_event(number, province_code=province_code))
    return notification.messages.messages.find_one({"application_no": number})


def fail(store, message, reason, at=None):
    """As the dispatcher gives up on it."""
    store.mark_failed(message["_id"], reason, domain.failed_event(message, "verimor", reason), at or clock.now())
    return stored(store, message)


def stored(store, message):
    return store.messages.find_one({"_id": message["_id"]})


@pytest.fixture
def failed(notification, store, received_event):
    """NUMBER's received SMS (Ankara), failed because the provider was down."""
    return fail(store, received(notification, received_event), PROVIDER_DOWN)


# --- the time of each state -------------------------------------------------------------------

def test_the_view_carries_the_time_of_each_state_reached(store, received_event, notification):
    message = received(notification, received_event)
    dispatcher = make_dispatcher(store, Provider("verimor"))
    assert dispatcher.run_once() is True
    sent = stored(store, message)
    assert (domain.message_view(sent)["sent_at"], domain.message_view(sent)["delivered_at"]) == (
        clock.to_iso(sent["sent_at"]), None)

    later = clock.now() + timedelta(seconds=5)
    apply_reports(store, "verimor", [DeliveryReport(message_id=message["_id"], provider_message_id=None,
                                                    state=DELIVERED)])
    view = domain.message_view(stored(store, message))

    assert view["state"] == DELIVERED
    assert clock.from_iso(view["delivered_at"]) <= later and view["failed_at"] is None
    assert clock.from_iso(view["sent_at"]) <= clock.from_iso(view["delivered_at"])


def test_a_failure_records_its_time_whether_the_dispatcher_or_a_report_says_it(store, notification, received_event):
    given_up = received(notification, received_event)
    store.messages.update_one({"_id": given_up["_id"]}, {"$set": {"next_attempt_at": clock.now()}})
    make_dispatcher(store, Provider("verimor", SmsSendError("verimor: HTTP 400 INSUFFICIENT_CREDITS",
                                                            retryable=False))).run_once()
    reported = received(notification, received_event, number="2026-000002")
    make_dispatcher(store, Provider("verimor")).run_once()
    apply_reports(store, "verimor", [DeliveryReport(message_id=reported["_id"], provider_message_id=None,
                                                    state=FAILED, reason="EXPIRED")])

    for message in (given_up, reported):
        view = domain.message_view(stored(store, message))
        assert view["state"] == FAILED
        assert view["failed_at"] is not None and view["delivered_at"] is None
    assert domain.message_view(stored(store, given_up))["sent_at"] is None
    assert domain.message_view(stored(store, reported))["sent_at"] is not None


def test_a_message_that_failed_before_its_time_was_kept_failed_at_its_last_update(store, failed):
    store.messages.update_one({"_id": failed["_id"]}, {"$unset": {"failed_at": ""}})

    view = domain.message_view(stored(store, failed))

    assert view["failed_at"] == view["updated_at"]


# --- the failed list --------------------------------------------------------------------------

def test_the_failed_list_says_why_and_whether_a_resend_may_help(notification, store, received_event, failed):
    numbers_fault = fail(store, received(notification, received_event, number="2026-000002"), INVALID_NUMBER,
                         at=clock.now() + timedelta(seconds=1))

    listed = notification.list_failed_messages(ANKARA_ADMIN)

    assert [view["message_id"] for view in listed] == [numbers_fault["_id"], failed["_id"]]  # the latest first
    by_id = {view["message_id"]: view for view in listed}
    assert by_id[failed["_id"]]["resendable"] is True and by_id[failed["_id"]]["resend_refusal"] is None
    assert by_id[failed["_id"]]["reason"]["en"] == "The SMS provider could not be reached or did not answer in time."
    assert by_id[numbers_fault["_id"]]["resendable"] is False
    assert by_id[numbers_fault["_id"]]["resend_refusal"] == by_language("notification.resend.number_fault")
    assert by_id[numbers_fault["_id"]]["reason"]["tr"] == "Telefon numarası geçersiz ya da kullanılmıyor."
    assert notification.list_failed_messages(ISTANBUL_ADMIN) == []
    assert PHONE not in str(listed)


# --- the resend -------------------------------------------------------------------------------

def test_a_resend_is_a_new_queued_message_of_the_same_application_and_template(notification, store, failed,
                                                                              kick_counter):
    view = notification.resend_message(ANKARA_ADMIN, failed["_id"])

    copy = store.messages.find_one({"_id": view["message_id"]})
    assert view["message_id"] != failed["_id"]
    assert (view["state"], view["application_no"], view["template"], view["attempts"]) == (
        QUEUED, NUMBER, failed["template"], 0)
    assert (copy["resend_of"], copy["resent_by"], copy["language"], copy["text"]) == (
        failed["_id"], "ankara.admin", failed["language"], failed["text"])
    assert stored(store, failed)["resent_as"] == copy["_id"]
    assert kick_counter.count >= 2  # the received SMS, then the resend: the dispatcher was woken
    (listed,) = notification.list_failed_messages(ANKARA_ADMIN)
    assert (listed["resendable"], listed["resend_refusal"]) == (
        False, by_language("notification.resend.already_resent"))


def test_the_resend_goes_out_through_the_dispatcher(notification, store, failed):
    view = notification.resend_message(ANKARA_ADMIN, failed["_id"])
    provider = Provider("verimor")

    make_dispatcher(store, provider).run_once()

    [sms] = provider.sent
    assert (sms.message_id, sms.phone, sms.text) == (view["message_id"], PHONE, failed["text"])
    assert stored(store, {"_id": view["message_id"]})["state"] == SENT


def test_a_message_is_resent_once(notification, failed):
    notification.resend_message(ANKARA_ADMIN, failed["_id"])

    with pytest.raises(Conflict) as refused:
        notification.resend_message(ANKARA_ADMIN, failed["_id"])

    assert refused.value.code == "sms_not_resendable"
    assert refused.value.message == "Bu SMS zaten yeniden gönderildi. / This SMS has been resent already."


def test_two_admins_resending_at_once_send_one_copy(notification, store, failed):
    """The second finds no ``resent_as`` yet (read before the first wrote it): the unique key stops it."""
    first = domain.resent_message(failed, store.recipient(NUMBER), "ankara.admin", clock.now())
    assert store.enqueue(first) is True

    with pytest.raises(Conflict) as refused:
        notification.resend_message(ANKARA_ADMIN, failed["_id"])

    assert refused.value.code == "sms_not_resendable"
    assert store.messages.count_documents({"resend_of": failed["_id"]}) == 1


def test_a_resent_copy_that_fails_too_may_be_resent_in_its_turn(notification, store, failed):
    copy = notification.resend_message(ANKARA_ADMIN, failed["_id"])
    fail(store, {"_id": copy["message_id"], "application_no": NUMBER, "template": failed["template"]}, PROVIDER_DOWN)

    again = notification.resend_message(ANKARA_ADMIN, copy["message_id"])

    assert store.messages.find_one({"_id": again["message_id"]})["resend_of"] == copy["message_id"]


@pytest.mark.parametrize("state", [QUEUED, SENT, DELIVERED])
def test_only_a_failed_message_is_resent(notification, store, received_event, state):
    message = received(notification, received_event)
    store.messages.update_one({"_id": message["_id"]}, {"$set": {"state": state}})

    with pytest.raises(Conflict) as refused:
        notification.resend_message(ANKARA_ADMIN, message["_id"])

    assert refused.value.message.endswith("Only an SMS that failed can be resent.")


def test_a_failure_of_the_number_is_not_resent(notification, store, received_event):
    message = fail(store, received(notification, received_event), INVALID_NUMBER)

    with pytest.raises(Conflict) as refused:
        notification.resend_message(ANKARA_ADMIN, message["_id"])

    assert refused.value.code == "sms_not_resendable"
    assert "because of the number" in refused.value.message
    assert store.messages.count_documents({}) == 1


def test_an_erased_recipient_is_not_resent(notification, store, failed):
    store.erase_recipient(NUMBER, clock.now())

    with pytest.raises(Conflict) as refused:
        notification.resend_message(ANKARA_ADMIN, failed["_id"])

    assert "personal data erased" in refused.value.message
    (listed,) = notification.list_failed_messages(ANKARA_ADMIN)
    assert (listed["resendable"], listed["resend_refusal"]) == (False, by_language("notification.resend.no_recipient"))


@pytest.mark.parametrize("message_id", ["another province", "no such message", None, 17, ["x"]])
def test_a_message_outside_the_admins_province_is_not_found(notification, failed, message_id):
    with pytest.raises(NotFound):
        notification.resend_message(ISTANBUL_ADMIN if message_id == "another province" else ANKARA_ADMIN,
                                    failed["_id"] if message_id == "another province" else message_id)


# --- the unique key, before and after resends (and reminders) existed ---------------------------

OLDER_KEYS = {
    ONE_PER_TEMPLATE: [("application_no", ASCENDING), ("template", ASCENDING)],
    ONE_PER_TEMPLATE_AND_RESEND: [("application_no", ASCENDING), ("template", ASCENDING), ("resend_of", ASCENDING)],
}


@pytest.mark.parametrize("older", sorted(OLDER_KEYS))
def test_the_unique_key_of_older_stores_gives_way_to_the_one_with_resends_and_reminders(
        store, notification, received_event, older):
    store.messages.drop_index(ONE_PER_FACT_INDEX)
    store.messages.create_index(OLDER_KEYS[older], unique=True)
    failed_before = fail(store, received(notification, received_event), PROVIDER_DOWN)
    unset = {"occasion": ""} if older == ONE_PER_TEMPLATE_AND_RESEND else {"resend_of": "", "occasion": ""}
    store.messages.update_one({"_id": failed_before["_id"]}, {"$unset": unset})  # as stored before

    store.create_indexes()

    assert set(store.messages.index_information()) & set(OLDER_KEYS) == set()
    assert ONE_PER_FACT_INDEX in store.messages.index_information()
    notification.resend_message(ANKARA_ADMIN, failed_before["_id"])
    notification.handle_application_received(received_event(NUMBER, province_code="06"))  # replayed
    assert store.messages.count_documents({"application_no": NUMBER}) == 2


def test_creating_the_indexes_again_changes_nothing(store):
    before = store.messages.index_information()

    store.create_indexes()

    assert store.messages.index_information() == before
