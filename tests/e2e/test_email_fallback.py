"""The e-mail when an SMS fails (issue 23, docs/sms.md#email), end to end: a citizen who gave an
e-mail address applies over HTTP; the SMS provider refuses the SMS, or takes it and reports it
undeliverable later; the same notice reaches a real SMTP server on loopback once (a server that
answers 451 to the first attempts too, after notification is killed mid-send and restarted, and
when notification's own ``sms_failed`` is delivered again and again), and beside a delivered SMS
with NOTIFY_EMAIL_ALWAYS; staff see both channels in
the record; the tracking view's notice, over the API and on the tracking page in a real browser,
names the address the e-mail went to, masked.

One whole system for the module (Verimor's fake), on its own vhost, with SMTP_URL pointing at the
SMTP server this process runs (tests/fakes/smtp_server.py) and a short e-mail lease.
"""
import signal

import pytest
import requests
from nameko.standalone.events import event_dispatcher

from contracts.events import new_event
from messages import message
from tests.fakes.smtp_server import FakeSmtpServer
from tests.support.browser import Tab, browser, sign_in  # noqa: F401  (fixture)
from tests.support.portal import look_up
from tests.support.processes import wait_until
from tests.support.samples import APPLICANT_EMAIL, APPLICANT_EMAIL_MASKED
from tests.support.sms import ADMIN, RECEIVED, system_with, wait_accepted, wait_sms_state
from tests.support.staff_client import ankara_health_body, settle, submit

SHORT_LEASE = {"EMAIL_SENDING_LEASE_SECONDS": "4", "SMTP_TIMEOUT_SECONDS": "2"}
REFUSAL = {"status": 400, "body": "INVALID_DESTINATION_ADDRESS 905321234567"}
NOTICE = {"tr": "Size SMS ile ulaşamadık", "en": "We could not reach you by SMS"}


@pytest.fixture(scope="module")
def smtp():
    with FakeSmtpServer() as server:
        yield server


@pytest.fixture(scope="module")
def system(smtp, tmp_path_factory):
    with system_with("verimor", tmp_path_factory.mktemp("email-fallback"), SMTP_URL=smtp.url,
                     **SHORT_LEASE) as running:
        yield running


@pytest.fixture(autouse=True)
def well_behaved(system, smtp):
    yield
    smtp.set_steps([])
    smtp.release()
    system.sms_behaviour(clear=True)
    system.sms_release()


def apply_with_address(system, address=APPLICANT_EMAIL, refuse_sms=True):
    """An Ankara application over HTTP with an e-mail address; its "received" SMS refused by the
    provider (failed at once) unless ``refuse_sms`` is false: the receipt."""
    body = ankara_health_body()
    body["applicant"]["email"] = address
    if refuse_sms:
        system.sms_behaviour(fail_next=1, **REFUSAL)
    return submit(system.url, body)


def emails_about(smtp, number):
    return [message for message in smtp.messages if number in message["subject"]]


def wait_emails(smtp, number, count=1, timeout=20):
    return wait_until(lambda: len(emails_about(smtp, number)) >= count and emails_about(smtp, number),
                      timeout, interval=0.1, what="{} e-mail(s) about {}".format(count, number))


def record_entries(system, number, channel):
    response = system.staff.record(ADMIN, number)
    assert response.status_code == 200, response.text
    return [entry for entry in response.json()["sms"] or [] if entry["channel"] == channel]


def wait_email_entry(system, number, state="sent", timeout=10):
    def reached():
        entries = record_entries(system, number, "email")
        return entries[0] if entries and entries[0]["state"] == state else None

    return wait_until(reached, timeout, interval=0.1, what="the e-mail {} in the staff record".format(state))


def tracked(system, receipt, language=None):
    params = {"tracking_code": receipt["tracking_code"]}
    if language:
        params["language"] = language
    response = requests.get("{}/api/v1/applications/{}".format(system.url, receipt["application_no"]),
                            params=params, timeout=15)
    assert response.status_code == 200, response.text
    return response.json()


def wait_notice_email(system, receipt):
    return wait_until(lambda: tracked(system, receipt).get("notice_email") and tracked(system, receipt),
                      timeout=10, interval=0.2, what="the notice naming the e-mail")


def test_a_refused_sms_reaches_the_citizen_by_email_once_and_the_tracking_view_names_the_address(system, smtp):
    receipt = apply_with_address(system)
    number, code = receipt["application_no"], receipt["tracking_code"]

    [email] = wait_emails(smtp, number)

    settle(1.5)
    assert len(emails_about(smtp, number)) == 1
    assert email["rcpt_tos"] == [APPLICANT_EMAIL]
    turkish, english = email["text"].split("-" * 40)
    for part in (turkish, english):
        assert number in part and code in part and "https://acikkapi.gov.tr/takip?no=" + number in part
    assert "Size SMS ile ulaşamadığımız" in turkish and "could not reach you by SMS" in english
    assert email["subject"].startswith("Açık Kapı başvurunuz alındı: " + number + " / ")
    [sms] = record_entries(system, number, "sms")
    assert sms["state"] == "failed"
    entry = wait_email_entry(system, number)
    assert (entry["template"], entry["provider"], entry["attempts"], entry["delivered_at"]) == (
        RECEIVED, "smtp", 1, None)
    view = wait_notice_email(system, receipt)
    assert NOTICE["tr"] in view["notice"] and view["notice_email"] == APPLICANT_EMAIL_MASKED
    english_view = tracked(system, receipt, language="en")
    assert NOTICE["en"] in english_view["notice"] and english_view["notice_email"] == APPLICANT_EMAIL_MASKED
    assert APPLICANT_EMAIL not in str(view)


def test_a_server_that_refuses_the_first_attempts_gets_the_email_once_after_backoff(system, smtp):
    smtp.set_steps(["451 4.7.1 Greylisted, try again later", "451 4.3.0 Try again later"])
    receipt = apply_with_address(system)
    number = receipt["application_no"]

    wait_emails(smtp, number, timeout=25)  # 1–2 s, then 2–4 s of backoff

    settle(2)
    assert len(emails_about(smtp, number)) == 1 and smtp.pending_steps == []
    entry = wait_email_entry(system, number)
    assert entry["attempts"] == 3 and entry["last_error"].startswith("SMTP 451")
    assert wait_notice_email(system, receipt)["notice_email"] == APPLICANT_EMAIL_MASKED


def test_a_failure_delivered_again_and_again_gives_one_email(system, smtp):
    receipt = apply_with_address(system)
    number = receipt["application_no"]
    sms = wait_sms_state(system, number, "failed", timeout=15)
    [email] = wait_emails(smtp, number)
    failed = new_event("sms_failed", number, message_id=sms["message_id"], template=RECEIVED, provider="verimor",
                       reason="INVALID_DESTINATION_ADDRESS")
    dispatch = event_dispatcher({"AMQP_URI": system.amqp_uri, "serializer": "json"})

    for _ in range(3):  # a replay from a dead-letter queue, a redelivery: the same fact
        dispatch("notification", "sms_failed", failed)

    settle(2)  # a second e-mail, if one were owed, would go well within this
    assert len(emails_about(smtp, number)) == 1 and email["rcpt_tos"] == [APPLICANT_EMAIL]
    wait_email_entry(system, number)
    [entry] = record_entries(system, number, "email")
    assert (entry["template"], entry["state"], entry["provider"], entry["attempts"]) == (RECEIVED, "sent", "smtp", 1)


def test_an_sms_reported_undeliverable_later_sends_its_notice_by_email(system, smtp):
    receipt = apply_with_address(system, refuse_sms=False)
    number = receipt["application_no"]
    (record,) = wait_accepted(system, number)
    wait_sms_state(system, number, "sent")
    assert emails_about(smtp, number) == []  # by default only a failed SMS owes an e-mail

    pushed = system.sms_report(message_id=record["message_id"], status="failed")

    assert [push.get("http_status") for push in pushed] == [200]
    [email] = wait_emails(smtp, number)
    assert email["rcpt_tos"] == [APPLICANT_EMAIL]
    assert wait_notice_email(system, receipt)["notice_email"] == APPLICANT_EMAIL_MASKED


def test_no_email_without_an_address_and_the_notice_names_none(system, smtp):
    body = ankara_health_body()
    system.sms_behaviour(fail_next=1, **REFUSAL)
    receipt = submit(system.url, body)
    number = receipt["application_no"]
    wait_sms_state(system, number, "failed", timeout=15)

    view = wait_until(lambda: "notice" in tracked(system, receipt) and tracked(system, receipt), timeout=10,
                      what="the notice")

    settle(1)
    assert "notice_email" not in view and emails_about(smtp, number) == []
    assert record_entries(system, number, "email") == []


def test_notification_killed_mid_send_sends_the_email_once_after_its_restart(system, smtp):
    smtp.set_steps(["hang"])  # RCPT TO unanswered: the e-mail is never complete at the server
    receipt = apply_with_address(system)
    number = receipt["application_no"]
    try:
        wait_until(lambda: smtp.hanging == 1, timeout=15, interval=0.02, what="the server holding the e-mail")
        system.processes["notification"].stop(signal.SIGKILL)
    finally:
        smtp.release()
    system.start_service("notification")

    [email] = wait_emails(smtp, number, timeout=30)

    settle(2)
    assert len(emails_about(smtp, number)) == 1
    entry = wait_email_entry(system, number)
    assert entry["attempts"] == 2 and email["message_id"] == "<{}@acikkapi.gov.tr>".format(entry["message_id"])
    assert wait_notice_email(system, receipt)["notice_email"] == APPLICANT_EMAIL_MASKED


def test_the_tracking_page_shows_the_masked_address_in_the_notice(system, smtp, browser):
    receipt = apply_with_address(system, address="mehmet.kaya@hotmail.com.tr")
    wait_emails(smtp, receipt["application_no"])
    wait_notice_email(system, receipt)
    tab = Tab(browser, system.url)
    try:
        page = tab.page
        look_up(page, receipt["application_no"], receipt["tracking_code"], until="#view-notice")

        notice = page.locator("#view-notice").inner_text()
        assert NOTICE["tr"] in notice and "m***@h***.com.tr adresine e-postayla" in notice
        assert "mehmet" not in notice
        page.click("#language-switch")
        page.locator("#view-notice", has_text="by e-mail to m***@h***.com.tr").wait_for()
        assert NOTICE["en"] in page.locator("#view-notice").inner_text()
        # the staff record shows each channel's state: the SMS failed, the e-mail sent
        sign_in(tab, "ankara.admin", "/konsol/kuyruk")
        page.goto("/konsol/basvuru?no=" + receipt["application_no"])
        page.wait_for_selector("#sms-list tr[data-channel='email']")
        email_row = page.locator("#sms-list tr[data-channel='email']")
        channel = email_row.locator("td[data-label='Channel'], td[data-label='Kanal']").inner_text()
        assert channel in ("E-mail", "E-posta")
        assert email_row.get_attribute("data-state") == "sent"
        assert page.locator("#sms-list tr[data-channel='sms']").first.get_attribute("data-state") == "failed"
        assert tab.console_errors == []
    finally:
        tab.close()


def test_with_notify_email_always_an_email_goes_beside_a_delivered_sms(system, smtp):
    """Last: notification runs with NOTIFY_EMAIL_ALWAYS=true for it, and as before after it."""
    system.processes["notification"].stop()
    system.start_service("notification", extra_env={"NOTIFY_EMAIL_ALWAYS": "true"})
    try:
        system.wait_ready()
        receipt = apply_with_address(system, refuse_sms=False)
        number = receipt["application_no"]

        [email] = wait_emails(smtp, number)
        wait_sms_state(system, number, "sent")

        assert message("email.sms_failed_intro", "tr") not in email["text"]  # beside the SMS, not for it
        assert receipt["tracking_code"] in email["text"] and email["rcpt_tos"] == [APPLICANT_EMAIL]
        assert wait_email_entry(system, number)["state"] == "sent"
        settle(1)
        assert len(emails_about(smtp, number)) == 1 and "notice_email" not in tracked(system, receipt)
    finally:
        system.processes["notification"].stop()
        system.start_service("notification")
        system.wait_ready()
