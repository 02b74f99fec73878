"""SMS helpers for tests against running systems: a system per provider on its own vhost, the
staff view of an application's messages, delivery reports built by hand (the way each provider
pushes them) and the notification process's metrics.

Reports built here are for what the fakes cannot push: a wrong token, a bad signature, a
message nobody sent. Reports about real messages are pushed by the fake (``sms_report``).
"""
import contextlib
import json
import secrets
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.fakes.twilio_server import sign
from tests.support.broker import temporary_vhost
from tests.support.processes import RunningSystem, wait_until
from tests.support.staff_client import StaffApi

RECEIVED = "application_received"
CONCLUDED = "application_answered"
TURKEY_TIME = timezone(timedelta(hours=3))
ADMIN = "ankara.admin"  # sees every Ankara application's record and its SMS


@contextlib.contextmanager
def system_with(provider, data_dir, **extra_env):
    """A whole system with ``provider``'s fake, on a vhost of its own (sharing one would let two
    systems' services consume each other's events)."""
    with temporary_vhost() as uri:
        system = RunningSystem(uri, data_dir, provider=provider, extra_env=extra_env)
        system.staff = StaffApi(system.url)
        try:
            yield system.start()
        finally:
            system.stop()


# --- what staff see ---------------------------------------------------------------------------

def sms_of(system, application_no, template=RECEIVED):
    """The staff record's entry for ``template`` (None while routing or notification lack it, or
    while notification is down: the record then carries ``"sms": null``)."""
    response = system.staff.record(ADMIN, application_no)
    if response.status_code != 200:
        return None
    return next((sms for sms in response.json().get("sms") or [] if sms["template"] == template), None)


def wait_sms_state(system, application_no, state, template=RECEIVED, timeout=10):
    def reached():
        sms = sms_of(system, application_no, template)
        return sms if sms and sms["state"] == state else None

    try:
        return wait_until(reached, timeout, interval=0.1, what="{} SMS {}".format(template, state))
    except TimeoutError:
        raise AssertionError("{} SMS of {} never {}: last seen {}".format(
            template, application_no, state, sms_of(system, application_no, template))) from None


def wait_accepted(system, application_no, count=1, timeout=10):
    """The fake's records for ``application_no`` once it holds ``count`` of them."""
    return wait_until(lambda: len(system.sms_for(application_no)) >= count and system.sms_for(application_no),
                      timeout, interval=0.1, what="{} SMS at the fake".format(count))


def report_key(system, record):
    """How to name ``record`` to ``/_fake/report``: our id where the provider carries it."""
    if record["message_id"]:
        return {"message_id": record["message_id"]}
    return {"provider_message_id": record["order_id"]}


def provider_status(system, state):
    """The ``/_fake/report`` status for our ``state`` (Twilio's fake takes Twilio's own)."""
    if system.provider.name == "twilio":
        return {"delivered": "delivered", "failed": "undelivered", "sent": "sent"}[state]
    return state


# --- delivery reports by hand ----------------------------------------------------------------

def hand_made_report(system, message_id, provider_message_id, state="delivered", token=None,
                     signing_token=None):
    """``(url, headers, body)`` of a report as ``system``'s provider pushes one, about our
    ``message_id`` / the provider's ``provider_message_id``, to the gateway with ``token``
    (the system's when None). Twilio's is signed with ``signing_token`` (the right auth token
    when None) over the exact URL."""
    name = system.provider.name
    url = system.callback_url(token=token)
    if name == "verimor":
        now = datetime.now(TURKEY_TIME).strftime("%Y-%m-%d %H:%M:%S")
        status, gsm_error = {"delivered": ("DELIVERED", "0"), "failed": ("NOT_DELIVERED", "1"),
                             "sent": ("WAITING", "0")}[state]
        body = [{"type": "outbound", "campaign_id": int(provider_message_id), "campaign_custom_id": message_id,
                 "message_id": "13500001", "message_custom_id": message_id, "dest": "905321234567",
                 "size": 1, "international_multiplier": 1, "credits": 1, "status": status,
                 "gsm_error": gsm_error, "sent_at": now, "done_at": now}]
        return url, {"Content-Type": "application/json"}, json.dumps(body).encode()
    if name == "iletimerkezi":
        status = {"delivered": "delivered", "failed": "undelivered", "sent": "accepted"}[state]
        body = {"report": {"id": 1599000001, "packet_id": int(provider_message_id), "status": status,
                           "to": "+905321234567", "body": "..."}}
        return url, {"Content-Type": "application/json"}, json.dumps(body).encode()
    status = {"delivered": "delivered", "failed": "undelivered", "sent": "sent"}[state]
    url += "?" + urlencode({"message_id": message_id})
    params = {"AccountSid": system.env["TWILIO_ACCOUNT_SID"], "ApiVersion": "2010-04-01", "From": "ACIKKAPI",
              "To": "+905321234567", "MessageSid": provider_message_id, "SmsSid": provider_message_id,
              "MessageStatus": status, "SmsStatus": status}
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "X-Twilio-Signature": sign(url, params, signing_token or system.env["TWILIO_AUTH_TOKEN"])}
    return url, headers, urlencode(params).encode()


def post_report(url, headers, body):
    return requests.post(url, data=body, headers=headers, timeout=15)


def unknown_ids(system):
    """(our id, provider's id) that no message has."""
    provider_id = {"twilio": "SM" + secrets.token_hex(16)}.get(system.provider.name, "987654321")
    return secrets.token_hex(16), provider_id


PROVIDER_ID_FIELD = {"verimor": "campaign_id", "twilio": "sid", "iletimerkezi": "order_id"}


def provider_id_of(system, record):
    """The provider's id of a message the fake recorded (what ``send`` returned)."""
    return str(record[PROVIDER_ID_FIELD[system.provider.name]])


# --- metrics ---------------------------------------------------------------------------------

def metrics_text(system, service="notification"):
    return requests.get(system.metrics_url(service), timeout=5).text


def metric(text, name, **labels):
    """The sum of the samples called ``name`` whose labels include ``labels``."""
    return sum(sample.value
               for family in text_string_to_metric_families(text)
               for sample in family.samples
               if sample.name == name and all(sample.labels.get(key) == value for key, value in labels.items()))


def label_values(text):
    return {value for family in text_string_to_metric_families(text)
            for sample in family.samples for value in sample.labels.values()}

