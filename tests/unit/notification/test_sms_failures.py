"""Why an SMS failed (services/notification/failures.py), read from the ``last_error`` the provider
clients and the dispatcher really write: each reason below is made by the provider's own code (its
report parser, its send-error path), so a change in how a provider words a failure shows here."""
import pytest
import requests

from messages import by_language
from services.notification import failures
from services.notification.failures import (
    BLOCKED_NUMBER,
    EXPIRED,
    INVALID_NUMBER,
    NO_CREDIT,
    NO_RECIPIENT,
    PROVIDER_ACCOUNT,
    PROVIDER_UNAVAILABLE,
    REJECTED,
    UNKNOWN,
    UNREACHABLE_SUBSCRIBER,
)
from services.notification.providers import (
    CallbackRequest,
    IletiMerkeziProvider,
    OutgoingSms,
    SmsSendError,
    TwilioProvider,
    VerimorProvider,
)
from services.notification.providers.twilio import signature_for
from services.notification.providers.verimor import parse_reports

SMS = OutgoingSms(message_id="m1", phone="+905321234567", text="Başvurunuz alındı.", encoding="gsm7_turkish")
CAUSES = (INVALID_NUMBER, BLOCKED_NUMBER, UNREACHABLE_SUBSCRIBER, PROVIDER_UNAVAILABLE, PROVIDER_ACCOUNT,
          NO_CREDIT, EXPIRED, REJECTED, NO_RECIPIENT, UNKNOWN)


def verimor_reason(status, gsm_error="0"):
    [report] = parse_reports([{"campaign_id": 1, "message_custom_id": "m1", "status": status,
                               "gsm_error": gsm_error}])
    return report.reason


def twilio_reason(status, error_code=None):
    provider = TwilioProvider("AC" + "0" * 32, "token", from_="ACIKKAPI")
    url = "https://acikkapi.example/api/v1/sms/callbacks/twilio/t?message_id=m1"
    form = {"MessageSid": "SM1", "MessageStatus": status}
    if error_code:
        form["ErrorCode"] = error_code
    request = CallbackRequest(url=url, content_type="application/x-www-form-urlencoded", form=form,
                              signature=signature_for(url, form, "token"))
    [report] = provider.parse_delivery_report(request)
    return report.reason


def iletimerkezi_reason(status):
    provider = IletiMerkeziProvider("key", "hash")
    [report] = provider.parse_delivery_report(CallbackRequest(url="https://x/", json={
        "report": {"id": 1, "packet_id": 7, "status": status}}))
    return report.reason


class Answer:
    """What ``requests`` gives back, enough for the providers' error paths."""

    def __init__(self, status, text="", json_body=None):
        self.status_code, self.text, self._json = status, text, json_body
        self.ok = status < 400

    def json(self):
        if self._json is None:
            raise requests.JSONDecodeError("no json", "", 0)
        return self._json


def send_error(provider, answer=None, raised=None):
    def request(*args, **kwargs):
        if raised is not None:
            raise raised
        return answer

    provider._http.session = lambda: type("Session", (), {"request": staticmethod(request)})()
    with pytest.raises(SmsSendError) as refused:
        provider.send(SMS)
    return refused.value.reason


def verimor():
    return VerimorProvider("908501234567", "secret")


def twilio():
    return TwilioProvider("AC" + "0" * 32, "token", from_="ACIKKAPI")


def iletimerkezi():
    return IletiMerkeziProvider("key", "hash")


@pytest.mark.parametrize("make_reason, cause", [
    # the number's fault
    (lambda: verimor_reason("INVALID_DESTINATION_ADDRESS", "1"), INVALID_NUMBER),
    (lambda: verimor_reason("BLACKLISTED_DESTINATION_ADDRESS"), BLOCKED_NUMBER),
    (lambda: verimor_reason("NOT_DELIVERED", "27"), UNREACHABLE_SUBSCRIBER),
    (lambda: twilio_reason("undelivered", "30003"), UNREACHABLE_SUBSCRIBER),
    (lambda: twilio_reason("undelivered", "30005"), INVALID_NUMBER),
    (lambda: twilio_reason("failed", "30004"), BLOCKED_NUMBER),
    (lambda: twilio_reason("undelivered"), UNREACHABLE_SUBSCRIBER),
    (lambda: iletimerkezi_reason("undelivered"), UNREACHABLE_SUBSCRIBER),
    (lambda: send_error(twilio(), Answer(400, json_body={"code": 21211, "message": "Invalid 'To' Phone Number"})),
     INVALID_NUMBER),
    (lambda: send_error(twilio(), Answer(400, json_body={"code": 21610, "message": "unsubscribed recipient"})),
     BLOCKED_NUMBER),
    (lambda: send_error(iletimerkezi(), Answer(452, json_body={"response": {"status": {
        "code": 452, "message": "Alıcı numaralar hatalı"}}})), INVALID_NUMBER),
    # not the number's
    (lambda: verimor_reason("EXPIRED"), EXPIRED),
    (lambda: verimor_reason("REJECTED"), REJECTED),
    (lambda: verimor_reason("ROUTE_NOT_AVAILABLE"), PROVIDER_UNAVAILABLE),
    (lambda: verimor_reason("MISSING_TARIFF"), PROVIDER_ACCOUNT),
    (lambda: twilio_reason("failed", "30008"), PROVIDER_UNAVAILABLE),
    (lambda: twilio_reason("canceled"), REJECTED),
    (lambda: send_error(verimor(), Answer(400, "INSUFFICIENT_CREDITS")), NO_CREDIT),
    (lambda: send_error(verimor(), Answer(401, "Geçersiz kullanıcı adı/şifre")), PROVIDER_ACCOUNT),
    (lambda: send_error(verimor(), Answer(503, "Service Unavailable")), PROVIDER_UNAVAILABLE),
    (lambda: send_error(verimor(), Answer(429, "Too many requests")), PROVIDER_UNAVAILABLE),
    (lambda: send_error(verimor(), raised=requests.ConnectTimeout()), PROVIDER_UNAVAILABLE),
    (lambda: send_error(twilio(), raised=requests.ConnectionError()), PROVIDER_UNAVAILABLE),
    (lambda: send_error(twilio(), Answer(401, json_body={"code": 20003, "message": "Authenticate"})),
     PROVIDER_ACCOUNT),
    (lambda: send_error(iletimerkezi(), Answer(200, json_body={"response": {"status": {
        "code": 402, "message": "Bakiye yetersiz"}}})), NO_CREDIT),
    (lambda: send_error(iletimerkezi(), Answer(200, json_body={"response": {"status": {
        "code": "450", "message": "Gönderici adı onaylı değil"}}})), PROVIDER_ACCOUNT),
    (lambda: send_error(iletimerkezi(), Answer(503, "down")), PROVIDER_UNAVAILABLE),
    # the dispatcher's own words (dispatcher.py)
    (lambda: "gave up: too many attempts or too old", EXPIRED),
    (lambda: "no recipient on record yet", NO_RECIPIENT),
    (lambda: "ValueError", UNKNOWN),
    (lambda: None, UNKNOWN),
    (lambda: "", UNKNOWN),
    (lambda: "reported failed", UNKNOWN),
])
def test_each_recorded_failure_has_its_cause(make_reason, cause):
    assert failures.failure_cause(make_reason()) == cause


def test_only_the_numbers_own_failures_are_its_fault():
    assert {cause for cause in CAUSES if failures.is_number_fault(cause)} == {
        INVALID_NUMBER, BLOCKED_NUMBER, UNREACHABLE_SUBSCRIBER}


@pytest.mark.parametrize("cause", CAUSES)
def test_every_cause_is_said_in_turkish_and_english(cause):
    reason = failures.failure_reason(cause)

    assert reason == by_language("notification.failure." + cause)
    assert set(reason) == {"tr", "en"} and all(reason.values()) and reason["tr"] != reason["en"]
