"""A loopback stand-in for Twilio's Messages API, for tests.

Behaves as Twilio documents it (twilio.com/docs/messaging/api/message-resource, the error
dictionary, /docs/usage/webhooks/webhooks-security):

* ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json``, form-encoded, HTTP basic auth
  ``AccountSid:AuthToken``. 401 ``{"code": 20003, "message": "Authenticate", ...}`` for wrong
  credentials or another account's path; 400 with 21604 (no ``To``), 21603 (neither ``From`` nor
  ``MessagingServiceSid``), 21602 (no ``Body``), 21211 (``To`` not E.164 — its message quotes the
  number, as Twilio's does), 21617 (``Body`` over 1600 characters). 201 with the Message resource
  as JSON (``sid`` "SM" + 32 hex, ``status`` queued, or accepted with a Messaging Service).
* ``GET /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json``: the resource; 404 20404.
* Status callbacks are pushed as Twilio does: a form POST to the message's ``StatusCallback``
  (else to ``callback_url=`` / ``--callback-url``, standing in for a Messaging Service's
  configured callback) with ``MessageSid``, ``SmsSid``, ``MessageStatus``, ``SmsStatus``,
  ``AccountSid``, ``From``, ``To``, ``ApiVersion``, ``MessagingServiceSid`` (if any),
  ``ErrorCode`` (30003 for undelivered, 30008 for failed), ``RawDlrDoneDate`` (delivered /
  undelivered), signed with ``X-Twilio-Signature`` = base64(HMAC-SHA1(auth token, the exact
  callback URL + each parameter name and value, sorted by name)). ``/_fake/report`` statuses are
  Twilio's own (``queued``, ``sent``, ``delivered``, ``undelivered``, ``failed``, …) and are sent
  as given.

Deduplication: Twilio documents no idempotency key for creating messages, so every POST is a
new message: the fake records EVERY accepted send (no deduplication by our id).

Each recorded message: ``received_at``, ``message_id`` (OUR id, read from the ``message_id``
query parameter of its StatusCallback URL, else null), ``sid``, ``to``, ``from``,
``messaging_service_sid``, ``body``, ``status_callback``, ``status``. Test controls: see
tests/fakes/_base.py; scripted failures answer Twilio-shaped JSON errors.

In-process: ``with FakeTwilio("AC…", "token") as fake: ... fake.url ...``.
As a process: ``python -m tests.fakes.twilio_server --port 0 --account-sid AC… --auth-token T
[--callback-url URL]`` prints ``listening <url>``.
"""
import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.fakes._base import (
    Answer,
    FakeProviderServer,
    RejectedSend,
    json_answer,
    run_fake,
)

API_VERSION = "2010-04-01"
MESSAGES_PATH = re.compile(r"/2010-04-01/Accounts/([^/]+)/Messages\.json")
MESSAGE_PATH = re.compile(r"/2010-04-01/Accounts/([^/]+)/Messages/([^/]+)\.json")
E164 = re.compile(r"\+[1-9]\d{6,14}")
MAX_BODY_CHARS = 1600
ERROR_CODES = {"undelivered": "30003", "failed": "30008"}
DLR_STATES = {"delivered", "undelivered"}
HTTP_ERRORS = {429: (20429, "Too Many Requests"), 500: (20500, "Internal Server Error"),
               503: (20503, "Service Unavailable")}


def twilio_error(status, code, message):
    body = {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status}
    return RejectedSend(status, json.dumps(body), "application/json")


def sign(url, params, auth_token):
    """X-Twilio-Signature, computed independently of the provider client under test."""
    data = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    return base64.b64encode(hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()).decode()


class FakeTwilio(FakeProviderServer):
    name = "twilio"

    def __init__(self, account_sid, auth_token, host="127.0.0.1", port=0, callback_url=None):
        super().__init__(host, port, callback_url)
        self.account_sid = account_sid
        self.auth_token = auth_token

    def route(self, request):
        match = MESSAGES_PATH.fullmatch(request.path)
        if match and request.method == "POST":
            return json_answer(201, self.accept(match.group(1), request))
        match = MESSAGE_PATH.fullmatch(request.path)
        if match and request.method == "GET":
            self._authenticate(match.group(1), request)
            record = self.find(provider_message_id=match.group(2))
            if record is None:
                raise twilio_error(404, 20404, f"The requested resource {request.path} was not found")
            return json_answer(200, self._resource(record))
        return Answer(404, json.dumps({"code": 20404, "message": "Not Found", "status": 404}), "application/json")

    def _authenticate(self, path_sid, request):
        header = request.headers.get("Authorization") or ""
        try:
            scheme, _, encoded = header.partition(" ")
            user, _, password = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            scheme = user = password = ""
        if scheme.lower() != "basic" or (user, password) != (self.account_sid, self.auth_token) or path_sid != user:
            raise twilio_error(401, 20003, "Authenticate")

    def accept(self, path_sid, request):
        self.misbehave()
        self._authenticate(path_sid, request)
        parsed = parse_qs(request.body.decode("utf-8"), keep_blank_values=True)
        form = {key: values[-1] for key, values in parsed.items()}
        to, from_, service, body = form.get("To"), form.get("From"), form.get("MessagingServiceSid"), form.get("Body")
        if not to:
            raise twilio_error(400, 21604, "A 'To' phone number is required.")
        if not from_ and not service:
            raise twilio_error(400, 21603, "A 'From' phone number is required.")
        if not body:
            raise twilio_error(400, 21602, "Message body is required.")
        if not E164.fullmatch(to):
            raise twilio_error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if len(body) > MAX_BODY_CHARS:
            raise twilio_error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
        callback = form.get("StatusCallback")
        ids = parse_qs(urlsplit(callback).query).get("message_id") if callback else None
        record = {
            "received_at": time.time(),
            "message_id": ids[0] if ids else None,
            "sid": "SM" + secrets.token_hex(16),
            "to": to,
            "from": from_ or None,
            "messaging_service_sid": service or None,
            "body": body,
            "status_callback": callback or None,
            "status": "accepted" if service else "queued",
        }
        self._record([record])
        return self._resource(record)

    def _resource(self, record):
        created = format_datetime(datetime.fromtimestamp(record["received_at"], UTC), usegmt=True)
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": record["body"],
            "date_created": created,
            "date_updated": format_datetime(datetime.now(UTC), usegmt=True),
            "date_sent": None,
            "direction": "outbound-api",
            "error_code": int(ERROR_CODES[record["status"]]) if record["status"] in ERROR_CODES else None,
            "error_message": None,
            "from": record["from"],
            "messaging_service_sid": record["messaging_service_sid"],
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "sid": record["sid"],
            "status": record["status"],
            "to": record["to"],
            "uri": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{record['sid']}.json",
        }

    def failure(self, status, body):
        code, message = HTTP_ERRORS.get(status, (status * 100 if status < 1000 else status, f"HTTP {status}"))
        return twilio_error(status, code, body or message)

    def find(self, message_id=None, provider_message_id=None):
        with self._lock:
            for record in reversed(self._messages):
                if message_id is not None and record["message_id"] == message_id:
                    return record
                if provider_message_id is not None and record["sid"] == provider_message_id:
                    return record
        return None

    def report_request(self, record, status):
        with self._lock:
            record["status"] = status
        url = record["status_callback"] or self.callback_url
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "From": record["from"] or "",
            "To": record["to"],
            "MessageSid": record["sid"],
            "SmsSid": record["sid"],
            "MessageStatus": status,
            "SmsStatus": status,
        }
        if record["messaging_service_sid"]:
            params["MessagingServiceSid"] = record["messaging_service_sid"]
        if status in ERROR_CODES:
            params["ErrorCode"] = ERROR_CODES[status]
        if status in DLR_STATES:
            params["RawDlrDoneDate"] = datetime.now(UTC).strftime("%y%m%d%H%M")
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if url:
            headers["X-Twilio-Signature"] = sign(url, params, self.auth_token)
        return url, headers, urlencode(params).encode("ascii")


def main(argv=None):
    run_fake(FakeTwilio, __doc__.splitlines()[0], ("--account-sid", "--auth-token"), argv)


if __name__ == "__main__":
    main()
