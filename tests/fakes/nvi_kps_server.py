"""A loopback stand-in for the population registry's public verification service (NVİ
"KPSPublic"), for tests: both ASP.NET .asmx services, SOAP 1.1 and 1.2, a table of people, scripted
misbehaviour and a record of what was asked.

Behaves as the real services do (services/intake/population_registry.py describes them):

* ``GET /Service/KPSPublic.asmx?WSDL`` and ``GET /Service/KPSPublicYabanciDogrula.asmx?WSDL``: the
  WSDLs kept in services/intake/wsdl/, their addresses rewritten to this fake's URL.
* ``POST /Service/KPSPublic.asmx`` (``TCKimlikNoDogrula``) and ``POST
  /Service/KPSPublicYabanciDogrula.asmx`` (``YabanciKimlikNoDogrula``): SOAP 1.1 (``Content-Type:
  text/xml`` and a ``SOAPAction`` header) or SOAP 1.2 (``Content-Type: application/soap+xml;
  action="…"``, the action optional), answered in the envelope version asked in. A request it
  cannot read (not XML, the other version's envelope, another operation, a number that is not
  one) gets a SOAP fault with HTTP 500, as ASP.NET answers; another content type gets 415. A
  number left out counts as 0 and a name left out as none, as ASP.NET's deserializer does: no
  match. The envelope is parsed with defusedxml (no DTDs, no entities).
* A match is exact on every field, the names compared to the Turkish upper case of the stored
  ones ("i" → "İ", "ı" → "I"), which is what the registry expects: lower case, or Python's
  ``str.upper()`` of "Şahin Işık" ("ŞAHIN IŞIK"), is not a match. Citizens (``birth_year``) are
  found by ``TCKimlikNoDogrula`` only, foreigners (``birth_date``) by ``YabanciKimlikNoDogrula``
  only; a nil ``DogumGun``/``DogumAy`` matches nobody.

Test controls:

* ``POST /_fake/people`` ``{"people": [{"national_id": "10000000146", "first_name": "Ahmet",
  "last_name": "Yılmaz", "birth_year": 1985}, {"national_id": "99123456780", "first_name": "JOHN",
  "last_name": "SMITH", "birth_date": "1990-04-23"}]}`` replaces the table (``people=`` in-process);
  ``GET /_fake/people`` tells it. (Foreign names are best stored in upper case: the Turkish upper
  case of "Smith" is "SMİTH".)
* ``POST /_fake/behaviour``: ``{"mode": "slow", "seconds": 5}`` answers each request that late;
  ``{"mode": "failing", "status": 500}`` answers a SOAP fault with 500 (``soap:Server``), or with
  another status (e.g. 503) IIS's HTML error page; ``{"mode": "down"}`` closes each connection
  without an answer; ``{"mode": "normal"}``. It holds until changed and applies to the
  /Service/ routes (not to these controls). ``GET /_fake/behaviour`` tells the current one.
* ``GET /_fake/calls`` (``?since=N`` leaves out the first N): each SOAP request read, oldest
  first: ``operation``, ``soap_version`` ("1.1" / "1.2"), ``national_id``, ``first_name``,
  ``last_name`` (as sent), ``birth_year`` (and ``birth_month``, ``birth_day`` for foreigners),
  ``received_at`` and ``result`` (the answer given, or null when the behaviour answered instead).
  A "down" fake records nothing: the request never got in. This is a test fake: it holds the
  test's personal data.

In-process: ``with FakeNviKps(people=[...]) as fake: PopulationRegistry(fake.service_url) ...
fake.calls``. As a process: ``python -m tests.fakes.nvi_kps_server --port 0 [--people FILE]``
(FILE: the JSON of ``/_fake/people``) prints ``listening <url>`` and serves until SIGTERM or
Ctrl-C; the registry's base URL is ``<url>/Service``.
"""
import argparse
import datetime
import json
import re
import threading
import time
from email.message import Message
from pathlib import Path
from xml.sax.saxutils import escape

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException

from tests.fakes._base import (
    Answer,
    Dropped,
    FakeHandler,
    LoopbackServer,
    RejectedSend,
    json_answer,
    serve_until_stopped,
)

__all__ = ["FakeNviKps", "turkish_upper"]

WSDL_DIRECTORY = Path(__file__).resolve().parents[2] / "services" / "intake" / "wsdl"
REAL_SERVICE_URL = "https://tckimlik.nvi.gov.tr/Service"
SERVICE_PATH = "/Service"
NAMESPACE = "http://tckimlik.nvi.gov.tr/WS"
ENVELOPES = {"1.1": "http://schemas.xmlsoap.org/soap/envelope/", "1.2": "http://www.w3.org/2003/05/soap-envelope"}
MEDIA_TYPES = {"text/xml": "1.1", "application/soap+xml": "1.2"}
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
# ASP.NET's fault codes: the request could not be read / the service failed.
SENDER_FAULT = {"1.1": "soap:Client", "1.2": "soap:Sender"}
RECEIVER_FAULT = {"1.1": "soap:Server", "1.2": "soap:Receiver"}
UNREADABLE = "Server was unable to read request."
LONG_RANGE = (-(2**63), 2**63 - 1)
INT_RANGE = (-(2**31), 2**31 - 1)
PEOPLE_PATH = "/_fake/people"
BEHAVIOUR_PATH = "/_fake/behaviour"
CALLS_PATH = "/_fake/calls"
NORMAL, SLOW, FAILING, DOWN = "normal", "slow", "failing", "down"
NATIONAL_ID = re.compile(r"[1-9][0-9]{10}")
INTEGER = re.compile(r"[+-]?[0-9]+")
IIS_ERROR_PAGE = "<html><head><title>{status}</title></head><body><h1>HTTP Error {status}</h1></body></html>"


def turkish_upper(text):
    """Upper case as Turkish writes it: ``i`` → ``İ`` (Python makes it ``I``), ``ı`` → ``I``."""
    return text.replace("i", "İ").upper()


class _Unreadable(Exception):
    """A request ASP.NET would not read; the text is the fault's reason."""


class _Operation:
    """One .asmx service's operation: where it is posted, its fields, which people it can find."""

    def __init__(self, service, name, id_field, date_fields, finds):
        self.service = service
        self.name = name
        self.path = f"{SERVICE_PATH}/{service}.asmx"
        self.action = f"{NAMESPACE}/{name}"
        self.id_field = id_field
        self.date_fields = date_fields  # element name → (record key, may be nil)
        self.finds = finds  # "birth_year" (citizens) or "birth_date" (foreigners)

    def read(self, element):
        """The record of a request element (_Unreadable when it cannot be read)."""
        record = {
            "operation": self.name,
            "national_id": _text(element, self.id_field),
            "first_name": _text(element, "Ad"),
            "last_name": _text(element, "Soyad"),
        }
        _number(record["national_id"], LONG_RANGE)  # an id that is not a number is a fault, as in ASP.NET
        for field, (key, nillable) in self.date_fields.items():
            child = element.find(f"{{{NAMESPACE}}}{field}")
            if nillable and child is not None and child.get(XSI_NIL) in ("true", "1"):
                record[key] = None
            else:
                record[key] = _number(None if child is None else child.text, INT_RANGE)
        return record

    def matches(self, person, record):
        if self.finds not in person or _number(record["national_id"], LONG_RANGE) != int(person["national_id"]):
            return False
        if (record["first_name"], record["last_name"]) != (
            turkish_upper(person["first_name"]),
            turkish_upper(person["last_name"]),
        ):
            return False
        if self.finds == "birth_year":
            return record["birth_year"] == person["birth_year"]
        born = person["birth_date"]
        return (record["birth_day"], record["birth_month"], record["birth_year"]) == (born.day, born.month, born.year)


CITIZENS = _Operation(
    "KPSPublic", "TCKimlikNoDogrula", "TCKimlikNo", {"DogumYili": ("birth_year", False)}, "birth_year"
)
FOREIGNERS = _Operation(
    "KPSPublicYabanciDogrula",
    "YabanciKimlikNoDogrula",
    "KimlikNo",
    {"DogumGun": ("birth_day", True), "DogumAy": ("birth_month", True), "DogumYil": ("birth_year", False)},
    "birth_date",
)
OPERATIONS = {operation.path: operation for operation in (CITIZENS, FOREIGNERS)}


class FakeNviKps(LoopbackServer):
    """The fake registry as a context manager: ``url``, ``service_url`` (what PopulationRegistry
    takes), ``calls``, ``set_people(people)``, ``set_behaviour({"mode": ...})``."""

    name = "nvi-kps"

    def __init__(self, people=(), host="127.0.0.1", port=0):
        self._lock = threading.Lock()
        self._people = []
        self._behaviour = {"mode": NORMAL}
        self._calls = []
        self._stopping = threading.Event()
        self.set_people(list(people))
        super().__init__(_handler_for(self), host, port)

    @property
    def service_url(self):
        return self.url + SERVICE_PATH

    def stop(self):
        self._stopping.set()  # a slow answer still waiting gives up
        super().stop()

    # --- people, behaviour, calls

    def set_people(self, people):
        checked = _people(people)
        with self._lock:
            self._people = checked

    @property
    def people(self):
        with self._lock:
            return [_person_json(person) for person in self._people]

    def set_behaviour(self, behaviour):
        checked = _behaviour(behaviour)
        with self._lock:
            self._behaviour = checked

    @property
    def behaviour(self):
        with self._lock:
            return dict(self._behaviour)

    @property
    def calls(self):
        return self.calls_since(0)

    def calls_since(self, count):
        with self._lock:
            return [dict(call) for call in self._calls[count:]]

    # --- routing

    def route(self, request):
        if request.path == PEOPLE_PATH and request.method == "POST":
            body = request.json()
            if not isinstance(body, dict):
                raise RejectedSend(400, 'expected {"people": [...]}')
            self.set_people(body.get("people"))
            return json_answer(200, {"people": len(self.people)})
        if request.path == PEOPLE_PATH and request.method == "GET":
            return json_answer(200, {"people": self.people})
        if request.path == BEHAVIOUR_PATH and request.method == "POST":
            self.set_behaviour(request.json())
            return json_answer(200, self.behaviour)
        if request.path == BEHAVIOUR_PATH and request.method == "GET":
            return json_answer(200, self.behaviour)
        if request.path == CALLS_PATH and request.method == "GET":
            return json_answer(200, self.calls_since(_count(request.query.get("since", "0"))))
        operation = OPERATIONS.get(request.path)
        if operation is None:
            return Answer(404, "Not Found")
        behaviour = self.behaviour
        if behaviour["mode"] == DOWN:
            raise Dropped()
        if request.method == "GET" and any(key.lower() == "wsdl" for key in request.query):
            self._misbehave(behaviour, None)
            return Answer(200, self._wsdl(operation), "text/xml")
        if request.method == "POST":
            return self._soap(operation, request, behaviour)
        return Answer(405, "Method Not Allowed")

    def _soap(self, operation, request, behaviour):
        soap_version, action = _version_and_action(request.headers)
        try:
            record = operation.read(_request_element(request.body, soap_version, operation, action))
        except _Unreadable as unreadable:
            return _fault(soap_version, SENDER_FAULT, str(unreadable))
        record.update(soap_version=soap_version, received_at=time.time(), result=None)
        with self._lock:
            self._calls.append(record)
            people = list(self._people)
        self._misbehave(behaviour, soap_version)
        found = any(operation.matches(person, record) for person in people)
        with self._lock:
            record["result"] = found
        return _answer(soap_version, operation, found)

    def _misbehave(self, behaviour, soap_version):
        """Wait out a slow mode; raise the failing mode's answer (a SOAP fault when asked in SOAP
        with 500, else IIS's error page)."""
        if behaviour["mode"] == SLOW and self._stopping.wait(behaviour["seconds"]):
            raise Dropped()
        if behaviour["mode"] == FAILING:
            status = behaviour["status"]
            if soap_version is not None and status == 500:
                fault = _fault(soap_version, RECEIVER_FAULT, "Server was unable to process request.")
                raise RejectedSend(fault.status, fault.text, fault.content_type)
            raise RejectedSend(status, IIS_ERROR_PAGE.format(status=status), "text/html")

    def _wsdl(self, operation):
        text = (WSDL_DIRECTORY / f"{operation.service}.wsdl").read_text(encoding="utf-8")
        return text.replace(f'location="{REAL_SERVICE_URL}/', f'location="{self.service_url}/')


# --- reading a SOAP request


def _version_and_action(headers):
    """The SOAP version the content type says, and the action (SOAPAction header for 1.1, the
    content type's action parameter for 1.2); 415 for any other content type."""
    content_type = Message()
    content_type["Content-Type"] = headers.get("Content-Type") or ""
    soap_version = MEDIA_TYPES.get(content_type.get_content_type())
    if soap_version is None:
        raise RejectedSend(415, "Unsupported Media Type")
    if soap_version == "1.1":
        action = (headers.get("SOAPAction") or "").strip().strip('"')
    else:
        action = (content_type.get_param("action") or "").strip('"')
    return soap_version, action


def _request_element(body, soap_version, operation, action):
    """The operation's element in the envelope's body (_Unreadable when ASP.NET would not read
    the request: SOAP 1.1 needs the action, 1.2 may leave it out)."""
    if action != operation.action and (action or soap_version == "1.1"):
        raise _Unreadable(f"Server did not recognize the value of HTTP Header SOAPAction: {action}.")
    try:
        envelope = SafeElementTree.fromstring(body)
    except (SafeElementTree.ParseError, DefusedXmlException, ValueError):
        raise _Unreadable(f"{UNREADABLE} ---> There is an error in XML document.") from None
    namespace = ENVELOPES[soap_version]
    if envelope.tag != f"{{{namespace}}}Envelope":
        raise _Unreadable(f"{UNREADABLE} ---> The root element is not a SOAP {soap_version} envelope.")
    soap_body = envelope.find(f"{{{namespace}}}Body")
    element = None if soap_body is None else soap_body.find(f"{{{NAMESPACE}}}{operation.name}")
    if element is None:
        raise _Unreadable(f"{UNREADABLE} ---> The body has no {operation.name} element of {NAMESPACE}.")
    return element


def _text(element, field):
    child = element.find(f"{{{NAMESPACE}}}{field}")
    return None if child is None else (child.text or "")


def _number(text, allowed):
    """An xs:long / xs:int as ASP.NET reads it: absent is 0, anything else must be a number in range."""
    if text is None:
        return 0
    if not INTEGER.fullmatch(text.strip()):
        raise _Unreadable(f"{UNREADABLE} ---> Input string was not in a correct format.")
    number = int(text)
    if not allowed[0] <= number <= allowed[1]:
        raise _Unreadable(f"{UNREADABLE} ---> Value was either too large or too small.")
    return number


# --- answering


def _envelope(soap_version, body):
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<soap:Envelope xmlns:soap="{ENVELOPES[soap_version]}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
        f"<soap:Body>{body}</soap:Body></soap:Envelope>"
    )


def _content_type(soap_version):
    return "text/xml" if soap_version == "1.1" else "application/soap+xml"


def _answer(soap_version, operation, found):
    body = (
        f'<{operation.name}Response xmlns="{NAMESPACE}">'
        f"<{operation.name}Result>{'true' if found else 'false'}</{operation.name}Result>"
        f"</{operation.name}Response>"
    )
    return Answer(200, _envelope(soap_version, body), _content_type(soap_version))


def _fault(soap_version, codes, reason):
    """A SOAP fault with HTTP 500, as ASP.NET answers every fault."""
    if soap_version == "1.1":
        fault = f"<faultcode>{codes['1.1']}</faultcode><faultstring>{escape(reason)}</faultstring><detail />"
    else:
        fault = (
            f"<soap:Code><soap:Value>{codes['1.2']}</soap:Value></soap:Code>"
            f'<soap:Reason><soap:Text xml:lang="en">{escape(reason)}</soap:Text></soap:Reason><soap:Detail />'
        )
    return Answer(500, _envelope(soap_version, f"<soap:Fault>{fault}</soap:Fault>"), _content_type(soap_version))


# --- the controls' input


def _people(people):
    if not isinstance(people, list):
        raise RejectedSend(400, "people must be a list")
    return [_person(person) for person in people]


def _person(person):
    """A person of the table; RejectedSend (400) for one the table cannot hold."""
    if not isinstance(person, dict):
        raise RejectedSend(400, "each person is an object")
    national_id = person.get("national_id")
    if not (isinstance(national_id, str) and NATIONAL_ID.fullmatch(national_id)):
        raise RejectedSend(400, "national_id must be 11 digits as text, the first not 0")
    checked = {"national_id": national_id}
    for key in ("first_name", "last_name"):
        if not (isinstance(person.get(key), str) and person[key].strip()):
            raise RejectedSend(400, f"{key} must be text")
        checked[key] = person[key]
    birth_year, birth_date = person.get("birth_year"), person.get("birth_date")
    if (birth_year is None) == (birth_date is None):
        raise RejectedSend(400, "give birth_year (a citizen) or birth_date (a foreigner)")
    if birth_year is not None:
        if not (isinstance(birth_year, int) and not isinstance(birth_year, bool)):
            raise RejectedSend(400, "birth_year must be a number")
        checked["birth_year"] = birth_year
    else:
        try:
            checked["birth_date"] = datetime.date.fromisoformat(birth_date)
        except (TypeError, ValueError):
            raise RejectedSend(400, "birth_date must be YYYY-MM-DD") from None
    return checked


def _person_json(person):
    return {key: value.isoformat() if isinstance(value, datetime.date) else value for key, value in person.items()}


def _behaviour(behaviour):
    if not isinstance(behaviour, dict) or behaviour.get("mode") not in (NORMAL, SLOW, FAILING, DOWN):
        raise RejectedSend(400, 'expected {"mode": "normal" | "slow" | "failing" | "down", ...}')
    mode = behaviour["mode"]
    if mode == SLOW:
        seconds = behaviour.get("seconds", 5)
        if not (isinstance(seconds, int | float) and not isinstance(seconds, bool) and 0 <= seconds <= 600):
            raise RejectedSend(400, "seconds must be 0..600")
        return {"mode": mode, "seconds": seconds}
    if mode == FAILING:
        status = behaviour.get("status", 500)
        if not (isinstance(status, int) and not isinstance(status, bool) and 400 <= status <= 599):
            raise RejectedSend(400, "status must be 400..599")
        return {"mode": mode, "status": status}
    return {"mode": mode}


def _count(text):
    if not text.isdigit():
        raise RejectedSend(400, "since must be a count >= 0")
    return int(text)


# --- HTTP


def _handler_for(fake):
    class Handler(FakeHandler):
        def _dispatch(self, request):
            return fake.route(request)

    return Handler


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--people", type=Path, default=None, help='a JSON file: {"people": [...]}')
    args = parser.parse_args(argv)
    people = json.loads(args.people.read_text(encoding="utf-8"))["people"] if args.people else ()
    serve_until_stopped(FakeNviKps(people, host=args.host, port=args.port))


if __name__ == "__main__":
    main()
