"""SMS that reach people, end to end, with each provider's fake (one whole system per provider,
started once for this module, on its own vhost): delivery reports pushed to the gateway move a
message forward only and are authenticated; provider trouble is retried, a refusal fails at once
and the citizen is told where to read the result; one hanging provider call holds up no other
message; the notification process's metrics move and carry no personal data.

Every application here is an Ankara one, so ``ankara.admin`` sees its record and its ``sms``.
"""
import re
import time

import pytest
import requests

from tests.support.processes import wait_until
from tests.support.sms import (
    ADMIN,
    RECEIVED,
    hand_made_report,
    label_values,
    metric,
    metrics_text,
    post_report,
    provider_id_of,
    provider_status,
    report_key,
    sms_of,
    system_with,
    unknown_ids,
    wait_accepted,
    wait_sms_state,
)
from tests.support.staff_client import ankara_health_body, settle, submit

ALL = pytest.mark.parametrize("system", ["verimor", "twilio", "iletimerkezi"], indirect=True)
PHONE_DIGITS = "5321234567"  # the samples' phone, in every spelling's tail
APPLICATION_NO = re.compile(r"\d{4}-\d{6}")
NOTICE = {"tr": "Açık Kapı masalarında", "en": "Açık Kapı desk"}
# A refusal that no retry can mend, as each provider words it; the texts quote the number, as
# real ones may, so that the reason kept for staff can be checked for it.
REFUSED = "acikkapi_sms_delivery_reports_refused_total"
REFUSALS = {
    "verimor": {"status": 400, "body": "INVALID_DESTINATION_ADDRESS 905321234567"},
    "twilio": {"status": 400, "body": "The 'To' number +905321234567 is not a valid phone number."},
    "iletimerkezi": {"status": 452, "body": "Mesaj alıcıları hatalı: 905321234567"},
}


@pytest.fixture(scope="module")
def system(request, tmp_path_factory):
    with system_with(request.param, tmp_path_factory.mktemp("sms-" + request.param)) as running:
        yield running


@pytest.fixture
def clean_fake(system):
    """Whatever a test scripts, the next one starts with a well-behaved fake and nothing held."""
    yield
    system.sms_behaviour(clear=True)
    system.sms_release()


def apply_and_get_sms(system):
    """A new Ankara application whose "received" SMS the provider took and we recorded as sent:
    (application_no, tracking_code, the fake's record)."""
    receipt = submit(system.url, ankara_health_body())
    number = receipt["application_no"]
    (record,) = wait_accepted(system, number)
    wait_sms_state(system, number, "sent")
    return number, receipt["tracking_code"], record


def track(system, number, code, language=None):
    params = {"tracking_code": code}
    if language:
        params["language"] = language
    return requests.get("{}/api/v1/applications/{}".format(system.url, number), params=params, timeout=15)


def failed_list(system, who=ADMIN):
    return system.staff.request("GET", "/api/v1/admin/sms/failed", who)


# --- delivery reports --------------------------------------------------------------------------

@ALL
def test_delivered_twice_and_a_late_sent_leave_the_message_delivered_once(system):
    number, _, record = apply_and_get_sms(system)
    before = metrics_text(system)

    pushed = system.sms_report(**report_key(system, record), status=provider_status(system, "delivered"),
                               repeat=2, reverse_order_with=provider_status(system, "sent"))

    assert [push.get("http_status") for push in pushed] == [200, 200, 200, 200], pushed
    sms = wait_sms_state(system, number, "delivered")
    assert sms["message_id"] and sms["provider"] == system.provider.name
    (only,) = system.staff.record(ADMIN, number).json()["sms"]
    assert only["template"] == RECEIVED and only["state"] == "delivered"
    after = metrics_text(system)
    counted = {"provider": system.provider.name, "template": RECEIVED, "state": "delivered"}
    assert metric(after, "acikkapi_sms_messages_total", **counted) - \
        metric(before, "acikkapi_sms_messages_total", **counted) == 1
    assert len(system.sms_for(number)) == 1


@ALL
def test_a_failed_delivery_reaches_staff_the_admins_list_and_the_citizen(system):
    number, code, record = apply_and_get_sms(system)

    pushed = system.sms_report(**report_key(system, record), status=provider_status(system, "failed"))

    assert [push.get("http_status") for push in pushed] == [200]
    sms = wait_sms_state(system, number, "failed")
    assert sms["last_error"]
    view = wait_until(lambda: _with_notice(track(system, number, code)), timeout=5, what="the notice")
    assert NOTICE["tr"] in view["notice"]
    listed = failed_list(system)
    assert listed.status_code == 200, listed.text
    assert number in [item["application_no"] for item in listed.json()]


@ALL
def test_a_report_with_a_wrong_token_is_refused_and_changes_nothing(system):
    number, _, record = apply_and_get_sms(system)
    url, headers, body = hand_made_report(system, record["message_id"], provider_id_of(system, record),
                                          token="0" * 32)

    refused = post_report(url, headers, body)
    no_token = post_report(url.replace("/" + "0" * 32, "/"), headers, body)

    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "forbidden"
    assert no_token.status_code in (403, 404, 405)
    settle(0.5)
    assert sms_of(system, number)["state"] == "sent"


@pytest.mark.parametrize("system", ["twilio"], indirect=True)
def test_twilio_report_without_a_valid_signature_is_refused_and_changes_nothing(system):
    """The gateway cannot check a signature (notification holds Twilio's secret): it answers 200
    once the report is published (issue 20), and notification refuses it, counted by reason."""
    number, _, record = apply_and_get_sms(system)
    before = metrics_text(system)
    our_id, sid = record["message_id"], record["sid"]
    url, headers, body = hand_made_report(system, our_id, sid, signing_token="not-the-auth-token")
    _, good_headers, good_body = hand_made_report(system, our_id, sid)
    _, sent_headers, _ = hand_made_report(system, our_id, sid, state="sent")
    unsigned = {key: value for key, value in good_headers.items() if key != "X-Twilio-Signature"}

    answers = {
        "signed with another token": post_report(url, headers, body),
        "no signature": post_report(url, unsigned, good_body),
        "signature of other parameters": post_report(url, sent_headers, good_body),
        "signature of another URL": post_report(url.split("?")[0] + "?message_id=" + our_id + "x",
                                                good_headers, good_body),
    }

    assert {why: answer.status_code for why, answer in answers.items()} == dict.fromkeys(answers, 200)
    refused = {"provider": "twilio", "reason": "NotAllowed"}
    wait_until(lambda: metric(metrics_text(system), REFUSED, **refused) - metric(before, REFUSED, **refused)
               == len(answers), timeout=10, what="every bad report refused by notification")
    assert sms_of(system, number)["state"] == "sent"
    # The same report, rightly signed over the URL the fake and the gateway agree on, is taken.
    assert post_report(url, good_headers, good_body).status_code == 200
    wait_sms_state(system, number, "delivered")


@ALL
def test_a_report_about_an_unknown_message_is_acknowledged(system):
    our_id, provider_id = unknown_ids(system)
    url, headers, body = hand_made_report(system, our_id, provider_id)

    answer = post_report(url, headers, body)

    assert answer.status_code == 200, answer.text  # else the provider would push it again and again
    assert answer.json() == {"received": True}


@pytest.mark.parametrize("system", ["verimor"], indirect=True)
def test_a_report_for_a_provider_we_do_not_know_is_taken_and_counted_refused(system):
    """Which providers exist is notification's to know: the gateway publishes the report and
    answers 200; notification refuses it as NotFound, counted (issue 20)."""
    refused = {"provider": "nosuchsms", "reason": "NotFound"}
    before = metric(metrics_text(system), REFUSED, **refused)

    answer = requests.post(system.callback_url(provider="nosuchsms"), json=[], timeout=15)

    assert answer.status_code == 200, answer.text
    wait_until(lambda: metric(metrics_text(system), REFUSED, **refused) == before + 1, timeout=10,
               what="the report refused by notification")


# --- sending -----------------------------------------------------------------------------------

# Each run waits out the backoff (3–6 s), so two providers; that each provider's 5xx and 429
# are retryable is unit-tested (tests/unit/notification/test_sms_provider_contract.py).
@pytest.mark.parametrize("system", ["verimor", "twilio"], indirect=True)
def test_provider_errors_twice_then_success_give_one_sms(system, clean_fake):
    before = metrics_text(system)
    system.sms_behaviour(steps=[500, 500])
    started = time.monotonic()

    receipt = submit(system.url, ankara_health_body())
    number = receipt["application_no"]
    wait_accepted(system, number, timeout=15)
    took = time.monotonic() - started
    sms = wait_sms_state(system, number, "sent")

    assert sms["attempts"] == 3
    assert 2.5 <= took < 10, "backoff: the retries came after {:.1f} s".format(took)  # 1–2 s, then 2–4 s
    assert system.sms_fake_state()["pending"] == 0
    settle(1)
    assert len(system.sms_for(number)) == 1
    errors = {"provider": system.provider.name, "outcome": "error"}
    assert metric(metrics_text(system), "acikkapi_sms_provider_call_seconds_count", **errors) - \
        metric(before, "acikkapi_sms_provider_call_seconds_count", **errors) == 2


@ALL
def test_a_refused_send_fails_at_once_and_the_citizen_reads_where_to_look(system, clean_fake):
    system.sms_behaviour(steps=[REFUSALS[system.provider.name]])

    receipt = submit(system.url, ankara_health_body())
    number, code = receipt["application_no"], receipt["tracking_code"]
    sms = wait_sms_state(system, number, "failed", timeout=5)

    assert sms["attempts"] == 1
    assert system.sms_for(number) == []
    view = wait_until(lambda: _with_notice(track(system, number, code)), timeout=5, what="the notice")
    assert NOTICE["tr"] in view["notice"]
    assert NOTICE["en"] in track(system, number, code, language="en").json()["notice"]
    listed = failed_list(system)
    assert listed.status_code == 200, listed.text
    (item,) = [item for item in listed.json() if item["application_no"] == number]
    assert item["template"] == RECEIVED and item["state"] == "failed" and item["last_error"]
    # What staff see of the failure never quotes the phone the provider echoed.
    assert PHONE_DIGITS not in listed.text
    assert PHONE_DIGITS not in str(sms_of(system, number))
    # Another province's admin does not see it; a router may not ask.
    istanbul = failed_list(system, "istanbul.admin")
    assert istanbul.status_code == 200 and number not in istanbul.text
    assert failed_list(system, "ankara.router").status_code == 403


@ALL
def test_one_hanging_provider_call_holds_up_no_other_sms(system, clean_fake):
    system.sms_behaviour(steps=["hang"])
    held = submit(system.url, ankara_health_body())["application_no"]
    try:
        wait_until(lambda: system.sms_fake_state()["hanging"] == 1, timeout=5, interval=0.05,
                   what="the fake holding the first send")
        started = time.monotonic()
        other = submit(system.url, ankara_health_body())["application_no"]
        wait_accepted(system, other, timeout=5)
        assert time.monotonic() - started < 5
        assert system.sms_for(held) == []
    finally:
        system.sms_release()

    wait_sms_state(system, other, "sent")
    # Released before the call's timeout: the provider answers and the held message is sent, once.
    wait_sms_state(system, held, "sent")
    assert len(system.sms_for(held)) == 1


# --- metrics -----------------------------------------------------------------------------------

@ALL
def test_metrics_move_with_an_application_and_carry_no_personal_data(system):
    before = metrics_text(system)

    number, code, _ = apply_and_get_sms(system)

    after = metrics_text(system)
    name = system.provider.name
    sent = {"provider": name, "template": RECEIVED, "state": "sent"}
    calls = {"provider": name, "outcome": "sent"}
    assert metric(after, "acikkapi_sms_messages_total", **sent) - metric(before, "acikkapi_sms_messages_total",
                                                                         **sent) == 1
    assert metric(after, "acikkapi_sms_provider_call_seconds_count", **calls) - \
        metric(before, "acikkapi_sms_provider_call_seconds_count", **calls) == 1
    assert metric(after, "acikkapi_sms_provider_call_seconds_sum", **calls) > 0
    values = label_values(after)
    assert not [value for value in values if APPLICATION_NO.search(value) or PHONE_DIGITS in value
                or code in value], values
    assert number not in after and PHONE_DIGITS not in after


def _with_notice(response):
    return response.json() if response.status_code == 200 and "notice" in response.json() else None
