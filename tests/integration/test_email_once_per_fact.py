"""One e-mail per fact when an SMS fails (issue 23, docs/sms.md#email), with real processes on the
real broker and a real SMTP server on loopback (tests/fakes/smtp_server.py, in this process):
notification's own ``sms_failed`` delivered again and again queues nothing more. (notification killed
while the SMTP server holds the e-mail: tests/e2e/test_email_fallback.py.)
"""

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy

from contracts.events import new_event
from tests.fakes.smtp_server import FakeSmtpServer
from tests.support.processes import wait_until
from tests.support.samples import staff_principal
from tests.support.sms import RECEIVED, system_with, wait_sms_state
from tests.support.staff_client import ankara_health_body, settle, submit

SHORT_LEASE = {"EMAIL_SENDING_LEASE_SECONDS": "4", "SMTP_TIMEOUT_SECONDS": "2"}
# A refusal no retry mends: the SMS fails at once (docs/sms.md#sending).
REFUSAL = {"status": 400, "body": "INVALID_DESTINATION_ADDRESS 905321234567"}
ADDRESS = "ayse.yilmaz@example.com"


@pytest.fixture(scope="module")
def smtp():
    with FakeSmtpServer() as server:
        yield server


@pytest.fixture(scope="module")
def system(smtp, tmp_path_factory):
    with system_with("verimor", tmp_path_factory.mktemp("email-once"), SMTP_URL=smtp.url, **SHORT_LEASE) as running:
        yield running


@pytest.fixture(autouse=True)
def well_behaved(system, smtp):
    """Whatever a test scripts, the next one starts with servers that behave and hold nothing."""
    yield
    smtp.set_steps([])
    smtp.release()
    system.sms_behaviour(clear=True)
    system.sms_release()


def submit_with_failing_sms(system):
    """An Ankara application with an e-mail address whose "received" SMS the provider refuses:
    (application_no, the failed SMS as staff see it)."""
    body = ankara_health_body()
    body["applicant"]["email"] = ADDRESS
    system.sms_behaviour(fail_next=1, **REFUSAL)
    number = submit(system.url, body)["application_no"]
    return number, wait_sms_state(system, number, "failed", timeout=15)


def emails_about(smtp, number):
    return [message for message in smtp.messages if number in message["subject"]]


def wait_emails(smtp, number, count=1, timeout=15):
    return wait_until(lambda: len(emails_about(smtp, number)) >= count and emails_about(smtp, number),
                      timeout, interval=0.1, what="{} e-mail(s) about {}".format(count, number))


def listed(system, number):
    with ClusterRpcProxy({"AMQP_URI": system.amqp_uri, "serializer": "json"}, timeout=10) as cluster:
        return cluster.notification.list_messages(staff_principal("ankara.admin"), number)


def test_a_failure_delivered_again_and_again_gives_one_email(system, smtp):
    number, sms = submit_with_failing_sms(system)
    [email] = wait_emails(smtp, number)
    failed = new_event("sms_failed", number, message_id=sms["message_id"], template=RECEIVED, provider="verimor",
                       reason="INVALID_DESTINATION_ADDRESS")
    dispatch = event_dispatcher({"AMQP_URI": system.amqp_uri, "serializer": "json"})

    for _ in range(3):  # a replay from a dead-letter queue, a redelivery: the same fact
        dispatch("notification", "sms_failed", failed)

    settle(2)  # a second e-mail, if one were owed, would go well within this
    assert len(emails_about(smtp, number)) == 1
    assert email["rcpt_tos"] == [ADDRESS]
    assert "SMS ile ulaşamadığımız" in email["text"] and "could not reach you by SMS" in email["text"]
    [entry] = [entry for entry in listed(system, number) if entry["channel"] == "email"]
    assert (entry["template"], entry["state"], entry["provider"], entry["attempts"]) == (RECEIVED, "sent", "smtp", 1)
