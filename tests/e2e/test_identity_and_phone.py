"""Who is applying (issue 24, docs/identity.md), against the running system with both checks on:
``IDENTITY_REGISTRY=nvi`` against a loopback fake of NVİ's KPSPublic (tests/fakes/nvi_kps_server.py,
SOAP over HTTP, the service's own WSDL) and ``PHONE_VERIFICATION=required``, the code read where the
citizen's phone would get it (the fake SMS provider).

A matching person is accepted; a wrong surname or year is refused with one reason on every identity
field (not saying which) and nothing stored; the registry down or slow is a 503 with Retry-After and
nothing stored; a YKN holder is checked by the foreigners' operation; the code arrives, three wrong
codes lock it, an expired or a spent code is refused, a submission without proof is refused. Every
process logs at DEBUG, and no line of any service's or the gateway's output holds a national ID, a
code, phone, a name in the registry's spelling or a SOAP payload."""
import re
import time

import pytest
import requests

from tests.fakes.nvi_kps_server import FakeNviKps
from tests.support.processes import SERVICES, sms_text, system_of_its_own, wait_until
from tests.support.samples import national_id
from tests.support.staff_client import StaffApi, ankara_health_body

CODE_LIFETIME_SECONDS = 8
RPC_TIMEOUT_SECONDS = 2.5
CITIZEN = {"national_id": national_id("284163759"), "first_name": "Gülnihal", "last_name": "Karabıyıkoğlu",
           "birth_year": 1987}
SOMEONE = {"national_id": national_id("731946285"), "first_name": "İsmail", "last_name": "Işıktaş",
           "birth_year": 1979}
CODE_IN_SMS = re.compile(r"(?:kodunuz|code): (\d{6})")
TIMEOUT = 15


def ykn(first_nine):
    """A checksum-valid foreigner's ID (YKN starts with 99)."""
    return national_id(first_nine)


FOREIGNER = {"national_id": ykn("991234567"), "first_name": "JOHN", "last_name": "SMITH",
             "birth_date": "1990-04-23"}
LATE = {"national_id": national_id("231946285"), "first_name": "Ali", "last_name": "Geç", "birth_year": 1970}
PHONES = iter("0532 {} {} {}".format(100 + n, 10 + n % 90, 10 + (n * 7) % 90) for n in range(200))


@pytest.fixture(scope="module")
def registry():
    with FakeNviKps(people=[CITIZEN, FOREIGNER, SOMEONE, LATE]) as fake:
        yield fake


@pytest.fixture(scope="module")
def system(tmp_path_factory, registry):
    # The registry may take 3 s, but the gateway waits 2.5 s: intake must not wait past that.
    env = {"IDENTITY_REGISTRY": "nvi", "NVI_KPS_URL": registry.service_url, "IDENTITY_REGISTRY_TIMEOUT_SECONDS": "3",
           "RPC_TIMEOUT_SECONDS": str(RPC_TIMEOUT_SECONDS),
           "PHONE_VERIFICATION": "required", "PHONE_CODE_LIFETIME_SECONDS": str(CODE_LIFETIME_SECONDS),
           "LOG_LEVEL": "DEBUG"}
    with system_of_its_own(tmp_path_factory, "identity", extra_env=env) as running:
        yield running


@pytest.fixture(scope="module")
def staff(system):
    return StaffApi(system.url)


@pytest.fixture(autouse=True)
def registry_answers(registry):
    registry.set_behaviour({"mode": "normal"})
    yield


CODES_SEEN = []
PHONES_USED = []


def ask_code(system, phone):
    """(verification id, the code the SMS brought)."""
    PHONES_USED.append(phone)
    asked = requests.post(system.url + "/api/v1/phone-verifications", json={"phone": phone}, timeout=TIMEOUT)
    assert asked.status_code == 201, asked.text
    digits = re.sub(r"\D", "", phone)[-10:]

    def code_sms():
        texts = [sms_text(message) for message in system.sms_messages()
                 if re.sub(r"\D", "", str(message.get("dest") or message.get("to") or message.get("phone")))
                 .endswith(digits) and CODE_IN_SMS.search(sms_text(message))]
        return texts and CODE_IN_SMS.search(texts[-1]).group(1)

    code = wait_until(code_sms, timeout=TIMEOUT, what="the code SMS")
    CODES_SEEN.append(code)
    return asked.json()["verification_id"], code


def prove(system, verification_id, code):
    return requests.post("{}/api/v1/phone-verifications/{}".format(system.url, verification_id),
                         json={"code": code}, timeout=TIMEOUT)


def body_of(person, phone, proof=None, **birth):
    body = ankara_health_body()
    body["applicant"] = {"national_id": person["national_id"], "first_name": person["first_name"],
                         "last_name": person["last_name"], "phone": phone}
    if "birth_date" in person:
        body["applicant"]["birth_date"] = person["birth_date"]
    else:
        body["applicant"]["birth_year"] = str(person["birth_year"])
    body["applicant"].update(birth)
    if proof is not None:
        body["phone_verification"] = proof
    return body


def proven_body(system, person, **changes):
    phone = next(PHONES)
    verification_id, code = ask_code(system, phone)
    return body_of(person, phone, {"id": verification_id, "code": code}, **changes)


def submit(system, body, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return requests.post(system.url + "/api/v1/applications", json=body, headers=headers, timeout=TIMEOUT)


def stored_for(staff, person):
    """The numbers of the person's applications the Ankara router finds by national ID."""
    response = staff.queue("ankara.router", q=person["national_id"])
    assert response.status_code == 200, response.text
    return [entry["application_no"] for entry in response.json()["items"]]


def test_a_matching_person_with_a_proven_phone_is_accepted_and_the_record_says_how(system, staff, registry):
    before = len(registry.calls)
    response = submit(system, proven_body(system, CITIZEN))

    assert response.status_code == 201, response.text
    number = response.json()["application_no"]
    [call] = registry.calls[before:]
    assert (call["operation"], call["first_name"], call["last_name"], call["birth_year"]) == (
        "TCKimlikNoDogrula", "GÜLNİHAL", "KARABIYIKOĞLU", 1987)
    staff.wait_visible("ankara.router", number)
    record = staff.record("ankara.router", number).json()
    assert record["identity"]["checked_by"] == "population_registry" and record["phone_verified"] is True
    assert "birth_year" not in record["applicant"]


@pytest.mark.parametrize("wrong", [{"last_name": "Karabıyık"}, {"birth_year": "1988"}])
def test_a_wrong_surname_or_year_is_refused_without_saying_which_and_nothing_is_stored(system, staff, wrong):
    person = dict(SOMEONE, national_id=national_id("631946285"))  # nobody else applies with this ID
    body = proven_body(system, person, **wrong)
    refused = submit(system, body)

    assert refused.status_code == 422, refused.text
    fields = refused.json()["error"]["fields"]
    assert set(fields) == {"applicant.national_id", "applicant.first_name", "applicant.last_name",
                           "applicant.birth_year"}
    assert len(set(fields.values())) == 1
    assert stored_for(staff, person) == []
    # the proof was not spent on the refusal: corrected, the same proof may serve (here: still no match)
    assert submit(system, body).status_code == 422


@pytest.mark.parametrize("behaviour", [{"mode": "down"}, {"mode": "slow", "seconds": 5},
                                       {"mode": "failing", "status": 500}])
def test_the_registry_unreachable_is_a_503_and_nothing_is_stored(system, staff, registry, behaviour):
    person = dict(CITIZEN, national_id=national_id("531946285"))
    body = proven_body(system, person)
    registry.set_behaviour(behaviour)
    started = time.monotonic()

    answer = submit(system, body, key="registry-" + behaviour["mode"])

    assert answer.status_code == 503, answer.text
    assert time.monotonic() - started < RPC_TIMEOUT_SECONDS
    assert answer.json()["error"]["code"] == "identity_registry_unavailable"
    assert int(answer.headers["Retry-After"]) > 0
    assert stored_for(staff, person) == []


def test_a_yes_that_would_come_after_the_gateway_stopped_waiting_is_not_waited_for(system, staff, registry):
    """The registry would say yes after 2.7 s, past the gateway's 2.5 s: intake stops asking in time
    to answer 503 itself, rather than store an application the citizen was told (504) was not made."""
    body = proven_body(system, LATE)
    registry.set_behaviour({"mode": "slow", "seconds": RPC_TIMEOUT_SECONDS + 0.2})
    started = time.monotonic()

    answer = submit(system, body, key="late-yes")

    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["code"] == "identity_registry_unavailable"
    assert time.monotonic() - started < RPC_TIMEOUT_SECONDS
    wait_until(lambda: registry.calls and registry.calls[-1]["national_id"] == LATE["national_id"]
               and registry.calls[-1]["result"] is True, timeout=5, what="the registry's late yes")
    assert stored_for(staff, LATE) == []


def test_a_ykn_holder_is_checked_by_the_foreigners_operation(system, registry):
    before = len(registry.calls)
    response = submit(system, proven_body(system, FOREIGNER))

    assert response.status_code == 201, response.text
    [call] = registry.calls[before:]
    assert call["operation"] == "YabanciKimlikNoDogrula"
    assert (call["birth_day"], call["birth_month"], call["birth_year"]) == (23, 4, 1990)


def test_the_code_arrives_and_three_wrong_codes_lock_the_verification(system):
    verification_id, code = ask_code(system, next(PHONES))
    wrong = "000000" if code != "000000" else "111111"

    first, second, third = (prove(system, verification_id, wrong) for _ in range(3))
    after = prove(system, verification_id, code)

    assert (first.status_code, second.status_code) == (422, 422)
    assert "2" in first.json()["error"]["fields"]["code"] and "1" in second.json()["error"]["fields"]["code"]
    assert (third.status_code, third.json()["error"]["code"]) == (409, "verification_locked")
    assert (after.status_code, after.json()["error"]["code"]) == (409, "verification_locked")


def test_an_expired_code_is_refused(system):
    verification_id, code = ask_code(system, next(PHONES))
    time.sleep(CODE_LIFETIME_SECONDS + 0.5)

    late = prove(system, verification_id, code)

    assert (late.status_code, late.json()["error"]["code"]) == (409, "verification_expired")


def test_a_spent_code_is_refused_and_a_retry_of_the_same_submission_is_not(system):
    body = proven_body(system, CITIZEN)
    first = submit(system, body, key="spent-once")
    retried = submit(system, body, key="spent-once")
    another = submit(system, body, key="spent-twice")

    assert first.status_code == 201 and retried.json() == first.json()
    assert another.status_code == 422
    assert set(another.json()["error"]["fields"]) == {"phone_verification"}
    reproved = prove(system, body["phone_verification"]["id"], body["phone_verification"]["code"])
    assert (reproved.status_code, reproved.json()["error"]["code"]) == (409, "verification_used")


def test_without_proof_a_submission_is_refused(system, staff):
    person = dict(CITIZEN, national_id=national_id("431946285"))
    body = body_of(person, next(PHONES))

    refused = submit(system, body)

    assert refused.status_code == 422
    assert set(refused.json()["error"]["fields"]) == {"phone_verification"}
    assert stored_for(staff, person) == []


def test_a_proof_for_another_phone_is_refused(system):
    body = proven_body(system, CITIZEN)
    body["applicant"]["phone"] = next(PHONES)
    refused = submit(system, body)
    assert refused.status_code == 422 and set(refused.json()["error"]["fields"]) == {"phone_verification"}


def test_an_open311_client_app_is_checked_the_same_way(system, staff, registry):
    issued = staff.request("POST", "/api/v1/admin/open311-clients", "ankara.admin", json={"name": "Şehrim"})
    assert issued.status_code == 201, issued.text
    body = proven_body(system, CITIZEN)
    fields = {"api_key": issued.json()["api_key"], "jurisdiction_id": "ankara.gov.tr", "service_code": "health",
              "first_name": CITIZEN["first_name"], "last_name": CITIZEN["last_name"],
              "phone": body["applicant"]["phone"], "description": body["description"],
              "attribute[kind]": "request", "attribute[district]": "Çankaya", "attribute[subject]": body["subject"],
              "attribute[national_id]": CITIZEN["national_id"], "attribute[birth_year]": "1987",
              "attribute[phone_verification_id]": body["phone_verification"]["id"]}

    unproven = requests.post(system.url + "/open311/v2/requests.json", data=fields, timeout=TIMEOUT)
    fields["attribute[phone_verification_code]"] = body["phone_verification"]["code"]
    before = len(registry.calls)
    wrong_year = requests.post(system.url + "/open311/v2/requests.json",
                               data=dict(fields, **{"attribute[birth_year]": "1986"}), timeout=TIMEOUT)
    accepted = requests.post(system.url + "/open311/v2/requests.json", data=fields, timeout=TIMEOUT)

    assert unproven.status_code == 400 and "phone_verification" in unproven.text
    assert wrong_year.status_code == 400 and "attribute[birth_year]" in wrong_year.text
    assert accepted.status_code == 201, accepted.text
    # the registry was asked about 1986 (1987's answer was cached by the first test)
    assert [(call["operation"], call["birth_year"]) for call in registry.calls[before:]] == [
        ("TCKimlikNoDogrula", 1986)]


def test_the_desk_skips_both_and_records_the_officer(system, staff):
    body = ankara_health_body(channel="desk")
    body["applicant"]["national_id"] = national_id("331946285")
    response = staff.desk_submit("ankara.desk", body)
    assert response.status_code == 201, response.text
    number = response.json()["application_no"]
    staff.wait_visible("ankara.router", number)
    record = staff.record("ankara.router", number).json()
    assert record["identity"]["checked_by"] == "desk_officer" and record["identity"]["officer"] == "ankara.desk"


def test_no_national_id_code_or_registry_payload_in_any_log_line(system):
    """Last in the module (pytest keeps the order): everything above has been logged by now."""
    assert CODES_SEEN
    national_ids = [person["national_id"] for person in (CITIZEN, FOREIGNER, SOMEONE, LATE)]
    registry_spellings = ["GÜLNİHAL", "KARABIYIKOĞLU", "İSMAİL", "IŞIKTAŞ"]
    outputs = {label: system.processes[label].output() for label in list(SERVICES) + ["gateway"]}
    assert all(outputs.values())
    for label, output in outputs.items():
        for secret in national_ids + registry_spellings + ["Envelope", "TCKimlikNo>", "DogumYili"]:
            assert secret not in output, "{} logged {!r}".format(label, secret)
        for phone in PHONES_USED:  # its ten digits in order, however separated (the phone travels in the event)
            digits = re.sub(r"\D", "", phone)[-10:]
            assert not re.search(r"[\s.()/+-]{0,3}".join(digits), output), "{} logged a phone".format(label)
        for code in CODES_SEEN:  # as a token of its own: a timestamp's microseconds may hold the digits
            assert not re.search(r"(?<![\w.:,-]){}(?!\w)".format(code), output), "{} logged a code".format(label)
