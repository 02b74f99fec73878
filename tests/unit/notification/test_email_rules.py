"""The e-mail when an SMS fails (issue 23, docs/sms.md#email): which failures owe one, once per fact,
its text (Turkish first, then English; the tracking code only where the SMS has it), the masked
address, NOTIFY_EMAIL_ALWAYS, what staff see (``channel``), the KVKK export and erasure."""
import dataclasses
from datetime import timedelta

import pytest

from common import clock
from contracts.events import CATALOGUE, new_event
from services.notification import domain, emails
from services.notification.domain import CANCELLED, FAILED, QUEUED, SENT
from services.notification.settings import NotificationSettings
from tests.support.samples import APPLICANT_EMAIL, APPLICANT_EMAIL_MASKED

NUMBER = "2026-000001"
CODE = "K7M2PQ9X"
PHONE = "+905321234567"
ISTANBUL_ADMIN = {"username": "istanbul.admin", "role": "admin", "province_code": "34", "unit_id": None}


def failed_event(message):
    return domain.failed_event(message, "verimor", "EXPIRED")


def fail(store, message):
    """``message`` (stored) as the sender leaves it when it gives up; the sms_failed it owes."""
    event = failed_event(message)
    store.messages.update_one({"_id": message["_id"]}, {"$set": {"state": FAILED, "last_error": "EXPIRED"}})
    return event


@pytest.fixture
def received(received_event):
    return received_event(NUMBER, tracking_code=CODE, phone=PHONE, email=APPLICANT_EMAIL)


def the_sms(store, template=domain.RECEIVED):
    return store.messages.find_one({"template": template})


def answered_event(answers_objection=False):
    return new_event("application_answered", NUMBER, unit_id="34-health", outcome="positive", answer_text="Yapıldı.",
                     answered_at=clock.to_iso(clock.now(), "milliseconds"), step=2,
                     answers_objection=answers_objection, verification_code="7KQ2M-9XH4T")


@pytest.fixture
def always(monkeypatch):
    """NOTIFY_EMAIL_ALWAYS=true, as the service reads it (``settings()``)."""
    on = dataclasses.replace(NotificationSettings.from_environment(), email_always=True)
    monkeypatch.setattr("services.notification.service.settings", lambda: on)
    return on


# --- masking ----------------------------------------------------------------------------------

@pytest.mark.parametrize("address, masked", [
    ("ayse.yilmaz@example.com", "a***@e***.com"),
    ("a@b.co", "a***@b***.co"),
    ("mehmet@hotmail.com.tr", "m***@h***.com.tr"),
    ("x@mail.example.org", "x***@m***.org"),
    ("ali@localhost", "a***@l***"),
    ("not an address", "***"),
])
def test_an_address_is_masked_to_its_first_letters_and_its_ending(address, masked):
    assert emails.mask_email(address) == masked


def test_addresses_in_a_servers_answer_are_masked():
    reason = emails.masked_addresses("550 5.1.1 <ayse.yilmaz@example.com>: Recipient address rejected")

    assert reason == "550 5.1.1 <a***@e***.com>: Recipient address rejected"


# --- the text ---------------------------------------------------------------------------------

@pytest.mark.parametrize("template, has_code", [("application_received", True), ("application_answered", False),
                                                ("tracking_code_reminder", True), ("objection_received", False)])
def test_each_template_has_a_bilingual_email_with_the_code_only_where_the_sms_has_it(template, has_code):
    values = {"application_no": NUMBER, "tracking_code": CODE if has_code else None}

    subject, text = emails.render(template, values, "acikkapi.gov.tr", sms_failed=True)

    turkish, english = text.split(emails.LANGUAGE_DIVIDER)
    assert NUMBER in subject and " / " in subject
    assert "SMS ile ulaşamadığımız" in turkish and "could not reach you by SMS" in english
    for part in (turkish, english):
        assert "https://acikkapi.gov.tr/takip?no=" + NUMBER in part
        assert (CODE in part) is has_code
    assert "{" not in text and "None" not in text


def test_the_answer_itself_is_never_in_the_concluded_email():
    sms = domain.concluded_message(answered_event(), "tr", clock.now())

    email = emails.companion_email(sms, clock.now())

    assert "Yapıldı" not in email["text"] and "Yanıtın kendisi e-postayla gönderilmez" in email["text"]


def test_an_email_beside_an_sms_does_not_say_the_sms_failed():
    _, text = emails.render("application_received", {"application_no": NUMBER, "tracking_code": CODE},
                            None, sms_failed=False)

    assert "SMS ile ulaşamadığımız" not in text and "could not reach you by SMS" not in text
    assert "https://acikkapi.gov.tr/takip?no=" + NUMBER in text  # the default TRACKING_URL, with a scheme


def test_a_tracking_url_with_its_scheme_is_kept():
    assert emails.tracking_link_base("http://portal.example/") == "http://portal.example"


# --- which failures owe an e-mail ------------------------------------------------------------

def test_a_failed_sms_owes_an_email_to_the_address_on_record(notification, store, received):
    notification.handle_application_received(received)
    event = fail(store, the_sms(store))

    notification.handle_sms_failed(event)

    [email] = store.emails.find({})
    assert (email["application_no"], email["template"], email["state"], email["cause"]) == (
        NUMBER, domain.RECEIVED, QUEUED, emails.SMS_FAILED)
    assert email["sms_message_id"] == event["message_id"]
    assert APPLICANT_EMAIL not in str(email)  # the address is read when it is sent


def test_the_same_failure_twice_queues_one_email_and_kicks_its_sender_once(notification, store, received):
    notification.handle_application_received(received)
    event = fail(store, the_sms(store))

    notification.handle_sms_failed(event)
    notification.handle_sms_failed(event)

    assert store.emails.count_documents({}) == 1
    assert notification.send_queued_email.call_count == 1


def test_a_resent_sms_that_fails_again_is_the_same_fact_and_owes_no_second_email(notification, store, received):
    notification.handle_application_received(received)
    notification.handle_sms_failed(fail(store, the_sms(store)))
    resent = notification.resend_message(ISTANBUL_ADMIN, the_sms(store)["_id"])

    notification.handle_sms_failed(fail(store, store.messages.find_one({"_id": resent["message_id"]})))

    assert store.emails.count_documents({}) == 1


def test_each_reminder_request_is_a_fact_of_its_own(notification, store, received):
    notification.handle_application_received(received)
    for requested_at in ("2026-03-06T09:30:00.000+03:00", "2026-03-06T11:30:00.000+03:00"):
        notification.handle_tracking_code_requested(new_event(
            "tracking_code_requested", NUMBER, tracking_code=CODE, requested_at=requested_at))
    for reminder in list(store.messages.find({"template": domain.REMINDER})):
        notification.handle_sms_failed(fail(store, reminder))

    reminders = list(store.emails.find({"template": domain.REMINDER}))
    assert sorted(email["occasion"] for email in reminders) == [
        "2026-03-06T09:30:00.000+03:00", "2026-03-06T11:30:00.000+03:00"]
    assert all(CODE in email["text"] for email in reminders)


def test_no_email_without_an_address(notification, store, received_event):
    notification.handle_application_received(received_event(NUMBER, phone=PHONE))  # email: None

    notification.handle_sms_failed(fail(store, the_sms(store)))

    assert store.emails.count_documents({}) == 0


def test_no_email_once_the_applicant_was_erased(notification, store, received):
    notification.handle_application_received(received)
    event = fail(store, the_sms(store))
    notification.handle_applicant_data_erased(new_event("applicant_data_erased", NUMBER))

    notification.handle_sms_failed(event)

    assert store.emails.count_documents({}) == 0


def test_no_email_when_the_sms_was_delivered_after_all_before_the_failure_was_handled(notification, store, received):
    notification.handle_application_received(received)
    event = fail(store, the_sms(store))
    store.messages.update_one({"_id": event["message_id"]}, {"$set": {"state": domain.DELIVERED}})

    notification.handle_sms_failed(event)

    assert store.emails.count_documents({}) == 0


def test_a_failure_of_an_unknown_message_owes_nothing(notification, store):
    notification.handle_sms_failed(new_event("sms_failed", NUMBER, message_id="0" * 32, template=domain.RECEIVED,
                                             provider="verimor", reason="EXPIRED"))

    assert store.emails.count_documents({}) == 0


def test_sms_failed_is_notifications_own_event_as_well_as_trackings():
    assert set(CATALOGUE["sms_failed"].consumers) == {"tracking", "notification"}
    assert CATALOGUE["email_sent"].fields == ("message_id", "template", "email_masked")


def test_the_rule_itself():
    now = clock.now()
    sms = dict(domain.received_message({"application_no": NUMBER, "tracking_code": CODE}, now), state=FAILED)
    with_address = {"phone": PHONE, "email": APPLICANT_EMAIL}

    assert emails.fallback_email(sms, with_address, now) is not None
    assert emails.fallback_email(sms, dict(with_address, email=None), now) is None
    assert emails.fallback_email(sms, dict(with_address, erased_at=now), now) is None
    assert emails.fallback_email(sms, None, now) is None
    assert emails.fallback_email(dict(sms, state=SENT), with_address, now) is None


# --- NOTIFY_EMAIL_ALWAYS ----------------------------------------------------------------------

def test_by_default_an_sms_has_no_email_beside_it(notification, store, received):
    notification.handle_application_received(received)
    notification.handle_application_answered(answered_event())

    assert store.emails.count_documents({}) == 0


def test_always_every_sms_has_one_email_beside_it(notification, store, received, always):
    notification.handle_application_received(received)
    notification.handle_application_received(received)
    notification.handle_application_answered(answered_event())
    notification.handle_application_answered(answered_event())

    queued = sorted((email["template"], email["cause"]) for email in store.emails.find({}))
    assert queued == [(domain.CONCLUDED, emails.ALONGSIDE), (domain.RECEIVED, emails.ALONGSIDE)]


def test_always_a_failure_after_its_email_went_beside_it_owes_no_second_one(notification, store, received, always):
    notification.handle_application_received(received)

    notification.handle_sms_failed(fail(store, the_sms(store)))

    [email] = store.emails.find({})
    assert email["cause"] == emails.ALONGSIDE


def test_always_an_applicant_without_an_address_gets_no_email(notification, store, received_event, always):
    notification.handle_application_received(received_event(NUMBER, phone=PHONE))
    notification.handle_application_answered(answered_event())

    assert store.emails.count_documents({}) == 0


def test_always_an_sms_before_its_recipient_is_known_has_an_email_beside_it(notification, store, always):
    notification.handle_application_answered(answered_event())

    [email] = store.emails.find({})
    assert email["template"] == domain.CONCLUDED  # the sender reads the address when it sends


# --- what staff see, the export, the erasure --------------------------------------------------

def test_the_staff_list_shows_the_sms_then_the_emails_each_with_its_channel(notification, store, received):
    notification.handle_application_received(received)
    notification.handle_sms_failed(fail(store, the_sms(store)))

    sms, email = notification.list_messages(ISTANBUL_ADMIN, NUMBER)

    assert (sms["channel"], sms["state"]) == ("sms", FAILED)
    assert (email["channel"], email["template"], email["state"], email["delivered_at"]) == (
        "email", domain.RECEIVED, QUEUED, None)
    assert set(email) == set(sms)
    assert APPLICANT_EMAIL not in str(email) and CODE not in str(email)


def test_the_kvkk_export_holds_the_address_and_the_emails(notification, store, received):
    notification.handle_application_received(received)
    notification.handle_sms_failed(fail(store, the_sms(store)))

    part = notification.export_personal_data(ISTANBUL_ADMIN, [NUMBER])[NUMBER]

    assert part["recipient"] == {"phone": PHONE, "language": "tr", "email": APPLICANT_EMAIL}
    assert [message["channel"] for message in part["messages"]] == ["sms", "email"]


def test_the_erasure_takes_the_address_and_cancels_an_unsent_email(notification, store, received):
    notification.handle_application_received(received)
    notification.handle_sms_failed(fail(store, the_sms(store)))

    notification.handle_applicant_data_erased(new_event("applicant_data_erased", NUMBER))

    assert store.recipient(NUMBER)["email"] is None
    [email] = store.emails.find({})
    assert email["state"] == CANCELLED
    part = notification.export_personal_data(ISTANBUL_ADMIN, [NUMBER])[NUMBER]
    assert part["recipient"] is None and APPLICANT_EMAIL not in str(part)


def test_a_late_received_event_brings_back_no_address(notification, store, received):
    notification.handle_applicant_data_erased(new_event("applicant_data_erased", NUMBER))

    notification.handle_application_received(received)

    assert store.recipient(NUMBER)["email"] is None


def test_the_email_event_carries_the_address_masked_only():
    email = emails.companion_email(domain.received_message({"application_no": NUMBER, "tracking_code": CODE},
                                                           clock.now()), clock.now())

    event = emails.sent_event(email, APPLICANT_EMAIL)

    assert event["email_masked"] == APPLICANT_EMAIL_MASKED
    assert APPLICANT_EMAIL not in str(event) and CODE not in str(event)


def test_gives_up_like_an_sms():
    now = clock.now()
    email = {"attempts": 1, "created_at": now}

    assert not emails.gives_up(email, now)
    assert emails.gives_up(dict(email, attempts=domain.MAX_ATTEMPTS), now)
    assert emails.gives_up(dict(email, created_at=now - timedelta(hours=25)), now)
