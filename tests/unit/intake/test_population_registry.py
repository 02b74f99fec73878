"""The population registry's client (services/intake/population_registry.py) against the loopback
fake of NVİ's KPSPublic services (tests/fakes/nvi_kps_server.py), in SOAP 1.1 and 1.2: the
registry's yes and no, every way it can fail ending as RegistryUnavailable within the timeout and
without personal data, and the fake's own contract (a hand-made SOAP request, its WSDL)."""
import datetime
import logging
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import requests
from defusedxml import ElementTree as SafeElementTree

from services.intake import population_registry
from services.intake.population_registry import PopulationRegistry, RegistryUnavailable
from tests.fakes._base import LoopbackServer, fake_process
from tests.fakes.nvi_kps_server import FakeNviKps

TIMEOUT = 0.5
NAMESPACE = "http://tckimlik.nvi.gov.tr/WS"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"

CITIZEN_ID = "10000000146"
FOREIGNER_ID = "99123456780"
FOREIGNER_BIRTH = datetime.date(1990, 4, 23)
PEOPLE = [
    {"national_id": CITIZEN_ID, "first_name": "Şahin", "last_name": "Işık", "birth_year": 1985},
    {"national_id": FOREIGNER_ID, "first_name": "JOHN", "last_name": "SMITH", "birth_date": "1990-04-23"},
]
PERSONAL = (CITIZEN_ID, "ŞAHİN", "IŞIK", "Şahin", "Işık", "1985")


@pytest.fixture
def fake():
    with FakeNviKps(PEOPLE) as running:
        yield running


@pytest.fixture(params=["1.1", "1.2"])
def registry(request, fake):
    return PopulationRegistry(fake.service_url, timeout=TIMEOUT, soap_version=request.param)


def unavailable(registry):
    """The RegistryUnavailable of asking for the known citizen, and how long it took."""
    started = time.monotonic()
    with pytest.raises(RegistryUnavailable) as raised:
        registry.verify_citizen(CITIZEN_ID, "ŞAHİN", "IŞIK", 1985)
    return raised.value, time.monotonic() - started


def assert_nothing_personal(error):
    text = f"{error} {error!r} {error.args}"
    assert not any(value in text for value in PERSONAL), text
    assert error.__cause__ is None and error.__suppress_context__  # raised "from None": no chained payload


# --- the registry's answers


def test_a_citizen_the_registry_knows_so_is_confirmed(registry, fake):
    assert registry.verify_citizen(CITIZEN_ID, "ŞAHİN", "IŞIK", 1985) is True

    [call] = fake.calls
    assert call["operation"] == "TCKimlikNoDogrula" and call["soap_version"] == registry.soap_version
    assert (call["national_id"], call["first_name"], call["last_name"], call["birth_year"]) == (
        CITIZEN_ID, "ŞAHİN", "IŞIK", 1985
    )
    assert call["result"] is True


@pytest.mark.parametrize(
    "first_name, last_name, birth_year",
    [
        ("ŞAHİN", "IŞIK", 1986),
        ("ŞAHİN", "YILMAZ", 1985),
        ("Şahin", "Işık", 1985),  # not upper case
        ("Şahin".upper(), "Işık".upper(), 1985),  # Python's upper case: "ŞAHIN", not "ŞAHİN"
    ],
)
def test_anything_else_is_not_confirmed_and_names_go_as_given(registry, fake, first_name, last_name, birth_year):
    assert registry.verify_citizen(CITIZEN_ID, first_name, last_name, birth_year) is False

    [call] = fake.calls
    assert (call["first_name"], call["last_name"]) == (first_name, last_name)


def test_a_foreigner_the_registry_knows_so_is_confirmed(registry, fake):
    assert registry.verify_foreigner(FOREIGNER_ID, "JOHN", "SMITH", FOREIGNER_BIRTH) is True
    assert registry.verify_foreigner(FOREIGNER_ID, "JOHN", "SMITH", datetime.date(1990, 4, 24)) is False

    call = fake.calls[0]
    assert call["operation"] == "YabanciKimlikNoDogrula" and call["soap_version"] == registry.soap_version
    assert (call["national_id"], call["birth_day"], call["birth_month"], call["birth_year"]) == (
        FOREIGNER_ID, 23, 4, 1990
    )


def test_citizens_and_foreigners_are_asked_of_their_own_service(registry):
    assert registry.verify_foreigner(CITIZEN_ID, "ŞAHİN", "IŞIK", datetime.date(1985, 1, 1)) is False
    assert registry.verify_citizen(FOREIGNER_ID, "JOHN", "SMITH", 1990) is False


# --- the registry unavailable


def test_a_slow_registry_is_unavailable_within_the_timeout(registry, fake):
    fake.set_behaviour({"mode": "slow", "seconds": 5})

    error, took = unavailable(registry)

    assert took < TIMEOUT + 0.4
    assert "no answer within 0.5 s" in str(error)
    assert_nothing_personal(error)


@pytest.mark.parametrize(
    "behaviour, reason",
    [
        ({"mode": "failing", "status": 500}, "SOAP fault"),
        ({"mode": "failing", "status": 503}, "HTTP 503"),
        ({"mode": "down"}, "ConnectionError"),
    ],
)
def test_a_failing_or_down_registry_is_unavailable(registry, fake, behaviour, reason):
    fake.set_behaviour(behaviour)

    error, took = unavailable(registry)

    assert str(error) == f"population registry (TCKimlikNoDogrula): {reason}"
    assert took < TIMEOUT
    assert_nothing_personal(error)


def test_a_registry_that_recovers_answers_again(registry, fake):
    fake.set_behaviour({"mode": "down"})
    unavailable(registry)
    fake.set_behaviour({"mode": "normal"})

    assert registry.verify_citizen(CITIZEN_ID, "ŞAHİN", "IŞIK", 1985) is True


def test_nothing_listening_is_unavailable():
    with FakeNviKps() as gone:
        url = gone.service_url

    error, took = unavailable(PopulationRegistry(url, timeout=TIMEOUT))

    assert took < TIMEOUT
    assert_nothing_personal(error)


SOAP11_ANSWER = (
    "<soap:Envelope xmlns:soap='http://schemas.xmlsoap.org/soap/envelope/'><soap:Body>"
    f"<TCKimlikNoDogrulaResponse xmlns='{NAMESPACE}'>%s</TCKimlikNoDogrulaResponse></soap:Body></soap:Envelope>"
)


@pytest.mark.parametrize(
    "status, content_type, body, reason",
    [
        (200, "text/xml", SOAP11_ANSWER % "<TCKimlikNoDogrulaResult>maybe</TCKimlikNoDogrulaResult>",
         "an answer without a boolean"),
        (200, "text/xml", SOAP11_ANSWER % "", "an answer without a boolean"),
        (200, "text/xml", f"<x>{CITIZEN_ID} ŞAHİN</x", "an unreadable answer"),
        (200, "text/xml", f"<x>{CITIZEN_ID} ŞAHİN</x>", "an unreadable answer"),
        (502, "text/html", f"<html>{CITIZEN_ID}</html>", "HTTP 502"),
    ],
)
def test_an_answer_without_a_boolean_is_unavailable(status, content_type, body, reason):
    with CannedAnswer(status, content_type, body) as server:
        error, _ = unavailable(PopulationRegistry(server.url + "/Service", timeout=TIMEOUT))

    assert str(error) == f"population registry (TCKimlikNoDogrula): {reason}"
    assert_nothing_personal(error)


class CannedAnswer(LoopbackServer):
    """A registry that answers every POST with the same status, content type and body."""

    def __init__(self, status, content_type, body):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                payload = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", f"{content_type}; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format, *args):
                """Quiet."""

        super().__init__(Handler)


# --- the client itself


def test_nothing_personal_is_logged_at_any_level(registry, fake, caplog):
    caplog.set_level(logging.DEBUG)

    registry.verify_citizen(CITIZEN_ID, "ŞAHİN", "IŞIK", 1985)
    fake.set_behaviour({"mode": "failing", "status": 500})
    unavailable(registry)

    assert caplog.records  # zeep, urllib3 and requests did log at DEBUG
    assert not any(value in caplog.text for value in PERSONAL)


def test_the_zeep_clients_are_made_once_on_first_use(fake, monkeypatch):
    made = []
    real_client = population_registry.zeep.Client
    monkeypatch.setattr(population_registry.zeep, "Client", lambda **kw: made.append(kw["wsdl"]) or real_client(**kw))

    registry = PopulationRegistry(fake.service_url, timeout=TIMEOUT)
    assert made == []
    for _ in range(3):
        registry.verify_citizen(CITIZEN_ID, "ŞAHİN", "IŞIK", 1985)
        registry.verify_foreigner(FOREIGNER_ID, "JOHN", "SMITH", FOREIGNER_BIRTH)

    assert [Path(path).name for path in made] == ["KPSPublic.wsdl", "KPSPublicYabanciDogrula.wsdl"]


def test_what_cannot_be_asked_is_refused_without_echoing_it():
    registry = PopulationRegistry("http://127.0.0.1:9/Service")
    for national_id in ("1234", "0123456789a", "01000000146"):
        with pytest.raises(ValueError) as raised:
            registry.verify_citizen(national_id, "A", "B", 1985)
        assert national_id not in str(raised.value)
    with pytest.raises(ValueError):
        PopulationRegistry("http://127.0.0.1:9/Service", soap_version="1.3")


# --- the fake's contract


SOAP12_REQUEST = f"""<?xml version="1.0" encoding="utf-8"?>
<soap12:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap12="{SOAP12}">
  <soap12:Body>
    <TCKimlikNoDogrula xmlns="{NAMESPACE}">
      <TCKimlikNo>{CITIZEN_ID}</TCKimlikNo>
      <Ad>ŞAHİN</Ad>
      <Soyad>IŞIK</Soyad>
      <DogumYili>1985</DogumYili>
    </TCKimlikNoDogrula>
  </soap12:Body>
</soap12:Envelope>"""
SOAP12_CONTENT_TYPE = f'application/soap+xml; charset=utf-8; action="{NAMESPACE}/TCKimlikNoDogrula"'


def test_the_fake_answers_a_hand_made_soap_12_request(fake):
    answer = requests.post(fake.service_url + "/KPSPublic.asmx", data=SOAP12_REQUEST.encode("utf-8"),
                           headers={"Content-Type": SOAP12_CONTENT_TYPE}, timeout=5)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/soap+xml")
    envelope = SafeElementTree.fromstring(answer.content)
    assert envelope.tag == f"{{{SOAP12}}}Envelope"
    assert envelope.find(f".//{{{NAMESPACE}}}TCKimlikNoDogrulaResult").text == "true"
    assert fake.calls[0]["soap_version"] == "1.2"


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"<not xml", SOAP12_CONTENT_TYPE),
        (SOAP12_REQUEST.replace("<DogumYili>1985", "<DogumYili>nineteen").encode("utf-8"), SOAP12_CONTENT_TYPE),
        (SOAP12_REQUEST.encode("utf-8"), SOAP12_CONTENT_TYPE.replace("TCKimlikNoDogrula", "Other")),
    ],
)
def test_the_fake_answers_what_it_cannot_read_with_a_soap_fault(fake, body, content_type):
    answer = requests.post(fake.service_url + "/KPSPublic.asmx", data=body, headers={"Content-Type": content_type},
                           timeout=5)

    assert answer.status_code == 500
    fault = SafeElementTree.fromstring(answer.content).find(f".//{{{SOAP12}}}Fault")
    assert fault.find(f"{{{SOAP12}}}Code/{{{SOAP12}}}Value").text == "soap:Sender"
    assert fake.calls == []


def test_the_fake_serves_the_wsdl_at_its_own_address(fake):
    answer = requests.get(fake.service_url + "/KPSPublicYabanciDogrula.asmx?WSDL", timeout=5)

    assert answer.status_code == 200
    assert f'location="{fake.service_url}/KPSPublicYabanciDogrula.asmx"' in answer.text
    assert "tckimlik.nvi.gov.tr/Service" not in answer.text


def test_the_fake_takes_people_and_behaviour_over_http(fake):
    people = [{"national_id": "10000000078", "first_name": "İsmail", "last_name": "Öz", "birth_year": 2001}]
    assert requests.post(fake.url + "/_fake/people", json={"people": people}, timeout=5).json() == {"people": 1}
    registry = PopulationRegistry(fake.service_url, timeout=TIMEOUT)
    assert registry.verify_citizen("10000000078", "İSMAİL", "ÖZ", 2001) is True
    assert registry.verify_citizen(CITIZEN_ID, "ŞAHİN", "IŞIK", 1985) is False  # replaced

    for nonsense in ({"mode": "sideways"}, {"mode": "slow", "seconds": -1}, {"mode": "failing", "status": 200}):
        assert requests.post(fake.url + "/_fake/behaviour", json=nonsense, timeout=5).status_code == 400
    refused = requests.post(fake.url + "/_fake/people", json={"people": [{"national_id": "1"}]}, timeout=5)
    assert refused.status_code == 400
    assert [call["first_name"] for call in requests.get(fake.url + "/_fake/calls", timeout=5).json()] == [
        "İSMAİL", "ŞAHİN"
    ]


def test_the_fake_runs_as_a_process(tmp_path):
    people_file = tmp_path / "people.json"
    people_file.write_text('{"people": [{"national_id": "%s", "first_name": "Şahin", "last_name": "Işık", '
                           '"birth_year": 1985}]}' % CITIZEN_ID, encoding="utf-8")
    with fake_process("tests.fakes.nvi_kps_server", "--people", str(people_file)) as url:
        assert PopulationRegistry(url + "/Service", timeout=5).verify_citizen(CITIZEN_ID, "ŞAHİN", "IŞIK", 1985)
