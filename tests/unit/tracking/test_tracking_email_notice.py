"""The notice of a failed SMS names the e-mail that carried it instead (issue 23, docs/sms.md#email):
tracking learns the masked address from notification's ``email_sent`` and the citizen's view gets
``notice_email`` only while the notice itself stands; the erasure takes the address."""
import pytest
from nameko.testing.services import worker_factory

from contracts.events import new_event
from services.tracking.service import TrackingService

NUMBER = "2026-000001"
CODE = "K7M2PQ9X"
MASKED = "a***@e***.com"


@pytest.fixture
def tracking(store):
    return worker_factory(TrackingService, applications=store)


@pytest.fixture
def received(tracking, received_event):
    tracking.handle_application_received(received_event(NUMBER, tracking_code=CODE))


def sms(name, template="application_received", **extra):
    return new_event(name, NUMBER, message_id="m-" + template, template=template, provider="verimor", **extra)


def email_sent(template="application_received"):
    return new_event("email_sent", NUMBER, message_id="e-" + template, template=template, email_masked=MASKED)


def view(tracking, language=None):
    return tracking.get_application_status(NUMBER, CODE, language=language)


def test_the_notice_names_the_masked_address_its_email_went_to(tracking, received):
    tracking.handle_sms_failed(sms("sms_failed", reason="EXPIRED"))
    tracking.handle_email_sent(email_sent())

    shown = view(tracking)

    assert shown["notice"].startswith("Size SMS ile ulaşamadık") and shown["notice_email"] == MASKED
    assert view(tracking, "en")["notice_email"] == MASKED


def test_events_in_any_order_and_twice_give_the_same_view(tracking, received):
    sent = email_sent()
    tracking.handle_email_sent(sent)
    tracking.handle_email_sent(sent)
    tracking.handle_sms_failed(sms("sms_failed", reason="EXPIRED"))

    assert view(tracking)["notice_email"] == MASKED


def test_no_notice_no_address(tracking, received):
    """An e-mail beside a delivered SMS (NOTIFY_EMAIL_ALWAYS) is no news on the tracking page."""
    tracking.handle_email_sent(email_sent())

    assert "notice" not in view(tracking) and "notice_email" not in view(tracking)


def test_a_notice_without_an_email_names_none(tracking, received):
    tracking.handle_sms_failed(sms("sms_failed", reason="EXPIRED"))

    assert "notice" in view(tracking) and "notice_email" not in view(tracking)


def test_a_delivery_after_all_takes_the_notice_and_its_address_away(tracking, received):
    tracking.handle_sms_failed(sms("sms_failed", reason="EXPIRED"))
    tracking.handle_email_sent(email_sent())

    tracking.handle_sms_delivered(sms("sms_delivered"))

    assert "notice" not in view(tracking) and "notice_email" not in view(tracking)


def test_only_the_email_of_a_failed_template_is_named(tracking, received):
    """The concluded SMS failed; the e-mail that went was the received one's (beside its SMS)."""
    tracking.handle_sms_failed(sms("sms_failed", template="application_answered", reason="EXPIRED"))
    tracking.handle_email_sent(email_sent("application_received"))

    assert "notice" in view(tracking) and "notice_email" not in view(tracking)


def test_the_erasure_takes_the_masked_address_and_a_late_email_event_still_lands(tracking, store, received):
    tracking.handle_sms_failed(sms("sms_failed", reason="EXPIRED"))
    tracking.handle_email_sent(email_sent())

    tracking.handle_applicant_data_erased(new_event("applicant_data_erased", NUMBER))

    assert "notice_email" not in view(tracking) and MASKED not in str(store.find(NUMBER))
    tracking.handle_email_sent(email_sent("application_answered"))  # owed before the erasure: no error
