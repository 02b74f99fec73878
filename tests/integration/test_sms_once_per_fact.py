"""One SMS per fact, with real processes: notification killed between the provider's call and
the write that records it, and events delivered twice.

The systems run notification with a short sending lease (3 s) and a provider timeout below it
(2 s): the lease is written when a message is claimed, so the process that dies must already
hold the short one for the restarted process to take the message over promptly.

What the resend does depends on the provider, none of which deduplicates by our id (see each
provider module's docstring): Verimor takes the copy but refuses to deliver it (its report says
DOUBLE_SEND_ERROR, which we ignore); İleti Merkezi refuses it with 451 (we count the message as
sent); Twilio sends it again — the documented at-least-once choice, detectable because the copy
carries the same message id in its StatusCallback.
"""
import signal
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy

from common import clock
from contracts.events import new_event
from tests.support.processes import wait_until
from tests.support.samples import received_event, staff_principal
from tests.support.sms import (
    CONCLUDED,
    RECEIVED,
    system_with,
    wait_accepted,
    wait_sms_state,
)
from tests.support.staff_client import ankara_health_body, settle, submit

SHORT_LEASE = {"SMS_SENDING_LEASE_SECONDS": "3", "SMS_TIMEOUT_SECONDS": "2"}


@pytest.fixture(scope="module")
def system(request, tmp_path_factory):
    with system_with(request.param, tmp_path_factory.mktemp("once-" + request.param), **SHORT_LEASE) as running:
        yield running


def kill_notification_mid_call(system):
    """Submits an application whose "received" send the fake holds; SIGKILLs notification while
    it waits for the answer; lets the fake take the message (the provider has it, we never
    heard); restarts notification. The application number."""
    system.sms_behaviour(steps=["hang"])
    number = submit(system.url, ankara_health_body())["application_no"]
    try:
        wait_until(lambda: system.sms_fake_state()["hanging"] == 1, timeout=5, interval=0.02,
                   what="the fake holding the send")
        system.processes["notification"].stop(signal.SIGKILL)
    finally:
        system.sms_release()
    wait_until(lambda: system.sms_for(number), timeout=5, what="the provider taking the held send")
    system.start_service("notification")
    return number


@pytest.mark.parametrize("system", ["verimor"], indirect=True)
def test_verimor_refuses_the_resent_copy_and_the_message_stays_sent(system):
    number = kill_notification_mid_call(system)

    original, copy = wait_accepted(system, number, count=2, timeout=20)
    sms = wait_sms_state(system, number, "sent", timeout=15)

    # Resent after the lease with the SAME message id; Verimor took the request but not the SMS.
    assert original["message_id"] == copy["message_id"] == sms["message_id"]
    assert sms["attempts"] == 2
    assert [record["status"] for record in (original, copy)] == ["WAITING", "DOUBLE_SEND_ERROR"]
    # The copy's report says nothing about the SMS that went out: the message is not failed.
    pushed = system.sms_report(message_id=sms["message_id"], status="DOUBLE_SEND_ERROR")
    assert [push.get("http_status") for push in pushed] == [200]
    settle(0.5)
    assert wait_sms_state(system, number, "sent")["state"] == "sent"
    # The report about the SMS the phone got still moves it forward.
    system.sms_report(provider_message_id=original["campaign_id"], status="delivered")
    wait_sms_state(system, number, "delivered")
    assert len(system.sms_for(number)) == 2


@pytest.mark.parametrize("system", ["twilio"], indirect=True)
def test_twilio_sends_the_copy_again_and_it_is_detectable_by_its_message_id(system):
    number = kill_notification_mid_call(system)

    original, copy = wait_accepted(system, number, count=2, timeout=20)
    sms = wait_sms_state(system, number, "sent", timeout=15)

    # At least once, by choice: Twilio has no idempotency key, so the phone gets the text twice,
    # as two Twilio messages; both name our one message in their StatusCallback.
    assert original["sid"] != copy["sid"]
    assert [_callback_message_id(record) for record in (original, copy)] == [sms["message_id"]] * 2
    assert sms["attempts"] == 2
    settle(1)
    assert len(system.sms_for(number)) == 2
    # Reports about either copy are about our message: delivered once.
    system.sms_report(provider_message_id=original["sid"], status="delivered")
    system.sms_report(provider_message_id=copy["sid"], status="delivered")
    assert wait_sms_state(system, number, "delivered")["state"] == "delivered"


@pytest.mark.parametrize("system", ["twilio"], indirect=True)
def test_a_graceful_stop_mid_call_records_the_send_and_owes_no_copy(system):
    """SIGTERM (a deploy, not a crash): notification waits for the call in flight and records
    it, so the next process has nothing to resend — with Twilio a resend would be a second SMS."""
    system.sms_behaviour(steps=["hang"])
    number = submit(system.url, ankara_health_body())["application_no"]
    notification = system.processes["notification"]
    try:
        wait_until(lambda: system.sms_fake_state()["hanging"] == 1, timeout=5, interval=0.02,
                   what="the fake holding the send")
        claimed = time.monotonic()
        notification.signal(signal.SIGTERM)
        settle(0.5)
    finally:
        system.sms_release()
    notification.wait_stopped()
    system.start_service("notification")

    sms = wait_sms_state(system, number, "sent", timeout=15)
    assert sms["attempts"] == 1
    # Past the lease (and the restarted process's next rounds): a copy would be out by now.
    settle(max(1.5, claimed + float(system.env["SMS_SENDING_LEASE_SECONDS"]) + 2 - time.monotonic()))
    assert len(system.sms_for(number)) == 1
    assert wait_sms_state(system, number, "sent")["attempts"] == 1


@pytest.mark.parametrize("system", ["iletimerkezi"], indirect=True)
def test_iletimerkezi_refuses_the_copy_with_451_and_the_message_counts_as_sent(system):
    number = kill_notification_mid_call(system)

    sms = wait_sms_state(system, number, "sent", timeout=20)

    assert sms["attempts"] == 2 and not sms["last_error"]
    settle(1)
    assert len(system.sms_for(number)) == 1


@pytest.mark.parametrize("system", ["verimor"], indirect=True)
def test_events_delivered_twice_give_one_sms_each(system):
    config = {"AMQP_URI": system.amqp_uri, "serializer": "json"}
    number, code = "2026-910001", "TWCE2345"
    received = received_event(number, tracking_code=code, province="Ankara", province_code="06",
                              district="Çankaya")
    answered = new_event("application_answered", number, unit_id="06-cankaya-health", outcome="positive",
                         answer_text="Gereği yapıldı.", answered_at=clock.to_iso(clock.now()), step=2,
                         answers_objection=False, verification_code="7KQ2M-9XH4T")
    dispatch = event_dispatcher(config)

    # The answer first (events of two producers come in any order), then each again.
    dispatch("routing", "application_answered", answered)
    dispatch("intake", "application_received", received)
    dispatch("intake", "application_received", received)
    dispatch("routing", "application_answered", answered)

    wait_accepted(system, number, count=2, timeout=10)
    settle(2)  # a second copy of either, if one were owed, would be sent well within this
    messages = system.sms_for(number)
    assert len(messages) == 2
    assert len([message for message in messages if code in message["msg"]]) == 1
    with ClusterRpcProxy(config, timeout=10) as cluster:
        listed = cluster.notification.list_messages(staff_principal("ankara.admin"), number)
    assert sorted((sms["template"], sms["state"]) for sms in listed) == [(CONCLUDED, "sent"), (RECEIVED, "sent")]


def _callback_message_id(record):
    return parse_qs(urlsplit(record["status_callback"]).query)["message_id"][0]
