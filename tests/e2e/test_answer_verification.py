"""An answer anyone can verify (issue 22, docs/api.md#verify), over HTTP against the running system:
the tracking view carries the answer's code; GET /api/v1/verify/{code} shows the number, unit,
date and the text's SHA-256 with a valid Ed25519 signature — checked here with `cryptography`
against the key GET /api/v1/verify/keys publishes, not only by the server's word — and an intact
history; a pasted copy matches, an altered one does not; nothing personal and no officer appears;
an unknown code is 404; the escalated view lists an application past its statutory limit."""
import base64
import hashlib
import json
import uuid
from datetime import timedelta

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from nameko.standalone.events import event_dispatcher

from common import clock
from tests.support.processes import wait_until
from tests.support.samples import APPLICANT_PHONE_E164, received_event
from tests.support.staff_client import routed_application

ANSWER = "Sağlık ocağının çalışma saatleri 08:00–20:00 olarak uzatıldı.\nGereğini bilgilerinize sunarız."


def verify(url, code, text=None):
    if text is None:
        return requests.get("{}/api/v1/verify/{}".format(url, code), timeout=15)
    return requests.post("{}/api/v1/verify/{}".format(url, code), json={"text": text}, timeout=15)


def unpadded(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def answered_code(staff, api):
    receipt = routed_application(staff)
    assert staff.answer("ankara.health", receipt["application_no"], text=ANSWER).status_code == 200

    def code():
        seen = api.track(receipt["application_no"], receipt["tracking_code"]).json()
        return (seen.get("answer") or {}).get("verification_code")

    return receipt, wait_until(code, timeout=15, what="the answer's code in the tracking view")


def test_an_answer_verifies_by_its_code_with_the_published_key(staff, api, running_system):
    receipt, code = answered_code(staff, api)

    seen = verify(running_system.url, code.lower().replace("-", ""))
    keys = requests.get(running_system.url + "/api/v1/verify/keys", timeout=15)

    assert seen.status_code == 200, seen.text
    shown = seen.json()
    assert (shown["application_no"], shown["unit"], shown["answer_to"]) == (
        receipt["application_no"], "Çankaya İlçe Sağlık Müdürlüğü", "application")
    assert shown["verification_code"] == code and shown["algorithm"] == "Ed25519"
    assert shown["signature_valid"] is True and shown["history"] == "intact" and shown["text_matches"] is None
    assert shown["text_sha256"] == hashlib.sha256(ANSWER.encode("utf-8")).hexdigest()
    # The signature, checked here: the signed fields in their published canonical form
    # (docs/api.md#verify), under the key the server publishes for its key id.
    assert keys.status_code == 200
    [key] = [key for key in keys.json()["keys"] if key["key_id"] == shown["key_id"]]
    signed = shown["signed"]
    assert (signed["application_no"], signed["unit_name"], signed["text_sha256"], signed["verification_code"],
            signed["key_id"]) == (shown["application_no"], shown["unit"], shown["text_sha256"], code, shown["key_id"])
    assert signed["answered_at"].startswith(shown["answered_at"][:19])
    message = json.dumps(signed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    Ed25519PublicKey.from_public_bytes(unpadded(key["public_key"])).verify(unpadded(shown["signature"]), message)
    # nothing personal, no officer
    assert APPLICANT_PHONE_E164 not in seen.text and "10000000146" not in seen.text
    assert "ankara.health" not in seen.text and ANSWER not in seen.text


def test_a_pasted_copy_matches_and_an_altered_one_does_not(staff, api, running_system):
    _, code = answered_code(staff, api)

    same = verify(running_system.url, code, ANSWER.replace("\n", "\r\n") + "  \n")
    altered = verify(running_system.url, code, ANSWER.replace("20:00", "18:00"))

    assert same.status_code == altered.status_code == 200
    assert same.json()["text_matches"] is True and altered.json()["text_matches"] is False
    assert altered.json()["signature_valid"] is True  # the answer itself is intact; the copy is not


def test_an_unknown_or_malformed_code_is_404_and_a_bad_body_422(staff, api, running_system):
    _, code = answered_code(staff, api)

    for unknown in ("00000-00000", "abc", "UUUUU-UUUUU"):
        answer = verify(running_system.url, unknown)
        assert answer.status_code == 404, (unknown, answer.text)
    too_long = verify(running_system.url, code, "x" * 10001)
    assert too_long.status_code == 422 and "text" in too_long.json()["error"]["fields"]


def test_past_the_statutory_limit_an_application_is_escalated(staff, running_system):
    """Intake's received event with a statutory limit already past (as after an outage): routing's
    deadline watcher escalates it; routers see it under escalated=true; statistics count it."""
    number = "2026-8{:05d}".format(uuid.uuid4().int % 10 ** 5)
    received = clock.now() - timedelta(days=31)
    dispatch = event_dispatcher({"AMQP_URI": running_system.amqp_uri, "serializer": "json"})
    dispatch("intake", "application_received", received_event(
        number, province="Ankara", province_code="06", district="Çankaya", category="health",
        received_at=clock.to_iso(received, "milliseconds"), due_at=clock.to_iso(received + timedelta(days=7)),
        statutory_due_at=clock.to_iso(received + timedelta(days=30))))

    def listed():
        page = staff.queue("ankara.router", escalated="true", page_size=100).json()
        return next((item for item in page["items"] if item["application_no"] == number), None)

    entry = wait_until(listed, timeout=15, what="the escalated view lists it")
    assert entry["escalated"] is True and entry["statutory_days_left"] < 0
    assert number not in [item["application_no"] for item in staff.queue(
        "ankara.health", escalated="true", page_size=100).json()["items"]]

    def counted():
        stats = staff.request("GET", "/api/v1/stats", "ankara.router",
                              params={"from": received.date().isoformat()}).json()
        return stats if stats["escalated"] >= 1 else None

    assert wait_until(counted, timeout=15, what="statistics count it")["escalated"] >= 1
    refused = staff.queue("ankara.router", escalated="maybe")
    assert refused.status_code == 422 and "escalated" in refused.json()["error"]["fields"]
