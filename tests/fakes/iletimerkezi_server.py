"""A loopback stand-in for İleti Merkezi's JSON SMS API, for tests.

Behaves as İleti Merkezi documents it (iletimerkezi.com/en/docs/api/send-sms, .../webhooks,
github.com/iletimerkezi/apidocs-website docs/sms/send/json.mdx, docs/sms/report/json.mdx):

* ``POST /v1/send-sms/json`` with ``{"request": {"authentication": {"key", "hash"}, "order":
  {"sender", "sendDateTime", "iys", "iysList", "message": {"text", "receipents": {"number":
  [...]}}}}}`` (``message`` may also be a list of such objects). Answers
  ``{"response": {"status": {"code", "message"}, "order": {"id"}}}`` with the code also as the
  HTTP status: 200 "İşlem başarılı"; 400 "İstek çözümlenemedi" (not JSON); 401 "Üyelik bilgileri
  hatalı" (key/hash); 450 "Gönderilen başlık kullanıma uygun değil" (a sender not in
  ``senders=``, when given); 451 "Tekrar eden sipariş" (the same text to the same recipients
  within 10 minutes — ``duplicate_window_seconds``); 452 "Mesaj alıcıları hatalı"; 453 "Sipariş
  boyutu aşıldı" (approximated as over 1071 characters); 454 "Mesaj metni boş"; 459/460 (sender
  empty / over 11 characters), 468/469 (``iys`` missing / ``iysList`` missing with iys=1) with
  the English texts of the status-code table.
* ``POST /v1/get-report/json`` with ``order: {id, page, rowCount}``: the order's messages,
  ``status`` 110 (accepted), 111 (delivered), 112 (undelivered); 455 "Sipariş bulunamadı".
* Reports are pushed as the webhook documents: one JSON POST per message status change,
  ``{"report": {"id", "packet_id", "status", "to", "body"}}``, to the callback URL (set in the
  panel; here ``callback_url=`` / ``--callback-url``), unsigned. ``/_fake/report`` statuses:
  ``delivered`` → delivered, ``failed`` → undelivered, ``sent`` → accepted; anything else is sent
  as given.

Deduplication: the API has no field for a client id, so OUR message id never reaches İleti
Merkezi: recorded messages have ``message_id: null`` and are found for ``/_fake/report`` by
``provider_message_id`` (alias ``order_id``). There is no deduplication by id; every accepted
send is recorded. The only guard is the documented content-based 451 above, which the fake
applies (set ``duplicate_window_seconds=0`` to switch it off).

Each recorded message: ``received_at``, ``message_id`` (null), ``order_id``, ``id`` (the
per-message id reports carry), ``number`` (as 905XXXXXXXXX), ``text``, ``sender``, ``iys``,
``status``. Test controls: see tests/fakes/_base.py.

In-process: ``with FakeIletiMerkezi("key", "hash") as fake: ... fake.api_url ...``.
As a process: ``python -m tests.fakes.iletimerkezi_server --port 0 --key K --hash H
[--callback-url URL]`` prints ``listening <url>`` (the API base is ``<url>/v1``).
"""
import itertools
import json
import re
import time

from tests.fakes._base import (
    FakeProviderServer,
    RejectedSend,
    json_answer,
    run_fake,
)

SEND_PATH = "/v1/send-sms/json"
REPORT_PATH = "/v1/get-report/json"
FIRST_ORDER_ID = 104525848
FIRST_MESSAGE_ID = 1599558518
MAX_TEXT_CHARS = 1071  # 7 GSM-7 parts; the docs say "more than seven SMS" without a table
TURKISH_MOBILE = re.compile(r"(?:\+?90|0)?(5\d{9})")
MESSAGES = {
    200: "İşlem başarılı",
    400: "İstek çözümlenemedi",
    401: "Üyelik bilgileri hatalı",
    402: "Bakiye yetersiz",
    404: "API istek yapılan yönteme sahip değil",
    450: "Gönderilen başlık kullanıma uygun değil",
    451: "Tekrar eden sipariş",
    452: "Mesaj alıcıları hatalı",
    453: "Sipariş boyutu aşıldı",
    454: "Mesaj metni boş",
    455: "Sipariş bulunamadı",
    459: "Sender title cannot be empty",
    460: "Title must not exceed 11 characters and should not contain Turkish characters",
    468: "You must configure whether to query via IYS",
    469: "You must choose your IYS list: INDIVIDUAL or CORPORATE",
    503: "Server temporarily unavailable",
}
REPORT_STATUSES = {"delivered": "delivered", "failed": "undelivered", "sent": "accepted"}
REPORT_CODES = {"accepted": 110, "delivered": 111, "undelivered": 112}


def envelope(code, message=None, **extra):
    status = {"code": str(code), "message": message or MESSAGES.get(code, f"HTTP {code}")}
    return {"response": {"status": status, **extra}}


def rejection(code, message=None):
    return RejectedSend(code, json.dumps(envelope(code, message), ensure_ascii=False), "application/json")


class FakeIletiMerkezi(FakeProviderServer):
    name = "iletimerkezi"

    def __init__(self, key, hash, host="127.0.0.1", port=0, callback_url=None, senders=None,
                 duplicate_window_seconds=600):
        super().__init__(host, port, callback_url)
        self.key = key
        self.hash = hash
        self.senders = set(senders) if senders else None
        self.duplicate_window_seconds = duplicate_window_seconds
        self._order_ids = itertools.count(FIRST_ORDER_ID)
        self._message_ids = itertools.count(FIRST_MESSAGE_ID)

    @property
    def api_url(self):
        return self.url + "/v1"

    def route(self, request):
        if request.method != "POST" or request.path not in (SEND_PATH, REPORT_PATH):
            raise rejection(404)
        try:
            body = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise rejection(400) from None
        inner = body.get("request") if isinstance(body, dict) else None
        if not isinstance(inner, dict):
            raise rejection(400)
        if request.path == SEND_PATH:
            return json_answer(200, envelope(200, order={"id": self.accept(inner)}))
        return json_answer(200, self.report(inner))

    def _authenticate(self, inner):
        authentication = inner.get("authentication")
        if not isinstance(authentication, dict) or (authentication.get("key"), authentication.get("hash")) != (
            self.key,
            self.hash,
        ):
            raise rejection(401)

    def accept(self, inner):
        self.misbehave()
        self._authenticate(inner)
        order = inner.get("order")
        if not isinstance(order, dict):
            raise rejection(400)
        sender = order.get("sender")
        if not isinstance(sender, str) or not sender.strip():
            raise rejection(459)
        if len(sender) > 11:
            raise rejection(460)
        if self.senders is not None and sender not in self.senders:
            raise rejection(450)
        iys = str(order.get("iys")) if order.get("iys") is not None else None
        if iys not in ("0", "1"):
            raise rejection(468)
        if iys == "1" and order.get("iysList") not in ("BIREYSEL", "TACIR"):
            raise rejection(469)
        messages = order.get("message")
        messages = messages if isinstance(messages, list) else [messages]
        parsed = [_message(message) for message in messages]
        received_at = time.time()
        with self._lock:
            for text, numbers in parsed:
                if self._duplicate(text, numbers, received_at):
                    raise rejection(451)
            order_id = str(next(self._order_ids))
            self._messages.extend(
                {
                    "received_at": received_at,
                    "message_id": None,
                    "order_id": order_id,
                    "id": next(self._message_ids),
                    "number": number,
                    "text": text,
                    "sender": sender,
                    "iys": iys,
                    "status": "accepted",
                }
                for text, numbers in parsed
                for number in numbers
            )
        return order_id

    def _duplicate(self, text, numbers, now):
        if not self.duplicate_window_seconds:
            return False
        by_order = {}
        for record in self._messages:
            if now - record["received_at"] <= self.duplicate_window_seconds and record["text"] == text:
                by_order.setdefault(record["order_id"], set()).add(record["number"])
        return any(recipients == set(numbers) for recipients in by_order.values())

    def failure(self, status, body):
        return rejection(status, body)

    def report(self, inner):
        self._authenticate(inner)
        order = inner.get("order")
        order_id = str(order.get("id")) if isinstance(order, dict) and order.get("id") is not None else None
        with self._lock:
            records = [record for record in self._messages if record["order_id"] == order_id]
        if not records:
            raise rejection(455)
        codes = [REPORT_CODES.get(record["status"], 110) for record in records]
        order_status = 113 if 110 in codes else (115 if all(code == 112 for code in codes) else 114)
        return envelope(
            200,
            order={
                "id": int(order_id),
                "status": order_status,
                "message": [{"number": int(record["number"][2:]), "status": code}
                            for record, code in zip(records, codes)],
            },
        )

    def find(self, message_id=None, provider_message_id=None):
        with self._lock:
            for record in reversed(self._messages):
                if provider_message_id is not None and record["order_id"] == str(provider_message_id):
                    return record
        return None

    def report_request(self, record, status):
        status = REPORT_STATUSES.get(status, status)
        with self._lock:
            record["status"] = status
            body = {
                "report": {
                    "id": record["id"],
                    "packet_id": int(record["order_id"]),
                    "status": status,
                    "to": "+" + record["number"],
                    "body": record["text"],
                }
            }
        encoded = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return self.callback_url, {"Content-Type": "application/json"}, encoded


def _message(message):
    if not isinstance(message, dict):
        raise rejection(400)
    text = message.get("text")
    if not isinstance(text, str) or not text.strip():
        raise rejection(454)
    if len(text) > MAX_TEXT_CHARS:
        raise rejection(453)
    recipients = message.get("receipents")
    numbers = recipients.get("number") if isinstance(recipients, dict) else None
    if isinstance(numbers, str):
        numbers = [numbers]
    if not isinstance(numbers, list) or not numbers:
        raise rejection(452)
    normalized = []
    for number in numbers:
        match = TURKISH_MOBILE.fullmatch(re.sub(r"[\s()-]", "", str(number)))
        if not match:
            raise rejection(452)
        normalized.append("90" + match.group(1))
    return text, normalized


def main(argv=None):
    run_fake(FakeIletiMerkezi, __doc__.splitlines()[0], ("--key", "--hash"), argv)


if __name__ == "__main__":
    main()
