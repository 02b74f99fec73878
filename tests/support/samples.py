"""Sample data every tier uses: a valid application body, and the event intake makes of one."""
import copy

from contracts.events import new_event

VALID_BODY = {
    "applicant": {
        "national_id": "10000000146",
        "first_name": "Ayşe",
        "last_name": "Yılmaz",
        "phone": "0532 123 45 67",
    },
    "kind": "complaint",
    "category": "transport",
    "province": "istanbul",
    "district": "kadıköy",
    "subject": "Yoldaki çukur",
    "description": "Sokağımızdaki yolda iki haftadır büyük bir çukur var, araçlar zarar görüyor.",
    "channel": "web",
}

# What intake makes of VALID_BODY's phone, as it travels in application_received.
APPLICANT_PHONE_E164 = "+905321234567"
# An applicant's optional e-mail address, as intake normalises it, and as tracking may show it.
APPLICANT_EMAIL = "ayse.yilmaz@example.com"
APPLICANT_EMAIL_MASKED = "a***@e***.com"
TRACKING_CODE = "K7M2PQ9X"
# received_event's statutory limit (Law 3071): fixed, so that tests stay deterministic, and far in the
# future, so that an event a test dispatches to a running system is not escalated at once by routing's
# deadline watcher (received_at + 30 days would be past: 2026-04-01). A test about escalation passes
# a past ``statutory_due_at`` of its own.
STATUTORY_DUE_AT = "2099-04-01T10:15:00+03:00"


MISSING = object()  # for body_with: the field is left out


def body_with(path, value, body=None):
    """A copy of ``body`` (a fresh valid one by default) with the dotted ``path`` set to ``value``,
    or removed if ``value`` is MISSING."""
    body = copy.deepcopy(body) if body is not None else application_body()
    target = body
    *parents, leaf = path.split(".")
    for parent in parents:
        target = target[parent]
    if value is MISSING:
        del target[leaf]
    else:
        target[leaf] = value
    return body


def national_id(first_nine):
    """A checksum-valid T.C. Kimlik No from nine digits (the first not 0): a person of one's own."""
    digits = [int(char) for char in first_nine]
    tenth = ((sum(digits[0:9:2]) * 7) - sum(digits[1:8:2])) % 10
    eleventh = (sum(digits) + tenth) % 10
    return first_nine + str(tenth) + str(eleventh)


def application_body(**overrides):
    """A new valid body each call, safe to modify; top-level fields overridden."""
    body = copy.deepcopy(VALID_BODY)
    body.update(overrides)
    return body


def received_event(application_no="2026-000001", **overrides):
    """An ``application_received`` payload as intake owes it: every catalogue field,
    E.164 phone, ISO timestamps with offset."""
    fields = dict(
        kind="complaint", category="general",
        province="İstanbul", province_code="34", district="Kadıköy", channel="web",
        received_at="2026-03-02T10:15:00+03:00", due_at="2026-03-09T10:15:00+03:00",
        statutory_due_at=STATUTORY_DUE_AT,
        phone=APPLICANT_PHONE_E164, tracking_code=TRACKING_CODE, language="tr",
        email=None,  # optional: most applicants give none (APPLICANT_EMAIL when a test needs one)
    )
    fields.update(overrides)
    return new_event("application_received", application_no, **fields)


PASSWORD = "doğru-parola-123"

# Officers of Ankara (06) in every role, two unit officers of different units, and officers of
# İstanbul (34) to check that one province never sees another's applications.
STAFF_ACCOUNTS = [
    {"username": "ankara.desk", "role": "desk", "province": "06"},
    {"username": "ankara.router", "role": "router", "province": "06"},
    {"username": "ankara.health", "role": "unit", "province": "06", "unit_id": "06-cankaya-health"},
    {"username": "ankara.education", "role": "unit", "province": "06", "unit_id": "06-national_education"},
    {"username": "ankara.admin", "role": "admin", "province": "06"},
    {"username": "istanbul.desk", "role": "desk", "province": "34"},
    {"username": "istanbul.router", "role": "router", "province": "34"},
    {"username": "istanbul.health", "role": "unit", "province": "34", "unit_id": "34-health"},
    {"username": "istanbul.admin", "role": "admin", "province": "34"},
]


def staff_accounts_file(path):
    import json

    path.write_text(json.dumps([dict(account, password=PASSWORD) for account in STAFF_ACCOUNTS]))
    return path


def staff_principal(username):
    """The principal routing's ``authenticate`` gives for the STAFF_ACCOUNTS account ``username``
    (what the gateway signs into the token and passes with every staff call)."""
    [account] = [account for account in STAFF_ACCOUNTS if account["username"] == username]
    return {"username": account["username"], "role": account["role"],
            "province_code": account["province"], "unit_id": account.get("unit_id")}


def answer_keyring(key_id="test-1"):
    """A keyring of one new key, as routing's AnswerKeys injects it (answers are signed with it)."""
    from services.routing.answer_keys import Keyring
    from services.routing.answer_signing import new_signing_key

    return Keyring((new_signing_key(key_id),))


def identity_not_checked(application):
    """Intake's ``confirm_identity`` with IDENTITY_REGISTRY=off."""
    from services.intake.identity import not_checked

    return not_checked(application)


def intake_worker(**dependencies):
    """An IntakeService worker (nameko's ``worker_factory``) with the registry off unless given."""
    from nameko.testing.services import worker_factory

    from services.intake.service import IntakeService

    return worker_factory(IntakeService, **dict({"confirm_identity": identity_not_checked}, **dependencies))


# An answer's seal as routing's verification.sealed makes it, for tests that build transitions by hand.
SEAL = {"code": "7KQ2M-9XH4T", "key_id": "test-1", "signature": "c2lnbmF0dXJl", "text_sha256": "0" * 64}
