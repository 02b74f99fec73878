"""Between Open311 GeoReport v2 and Açık Kapı: jurisdictions, services, the POSTed form, the
requests query and the public view of a request.

- A jurisdiction is a province's governorship domain, ``<province folded to ASCII>.gov.tr``
  (İstanbul → ``istanbul.gov.tr``, Şanlıurfa → ``sanliurfa.gov.tr``). The deployment serves all
  81 provinces, so ``jurisdiction_id`` is required where a province matters (400 without it, 404
  for an unknown one) and optional where it does not (discovery, services).
- A service is a category of the catalogue; every service takes attributes (``metadata`` true):
  kind, district, subject and the applicant's national ID, which GeoReport has no field for.
- A POSTed request becomes an ordinary application body (channel ``app``), validated by intake
  like any other; its refusals are named by the Open311 parameter the client sent.
- A request, as any GET shows it, carries no personal data: no applicant, no text (a citizen's
  description or an answer may name people, places, illnesses), no coordinates.
"""
import re
from datetime import datetime, timedelta
from typing import Optional, TypedDict

from werkzeug.exceptions import Forbidden

from common import clock
from common.errors import NotFound, ValidationFailed
from common.fields import FIRST_YEAR, LAST_YEAR, REQUIRED, UNKNOWN_FIELD, YEAR_OUT_OF_RANGE
from common.places import fold, places
from messages import LANGUAGES, SEPARATOR, bilingual, message

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-28T00:00:00+03:00"  # when the services or this endpoint last changed
JURISDICTION_SUFFIX = ".gov.tr"
MAX_DAYS = 90
MAX_REQUESTS = 1000
OPEN, CLOSED = "open", "closed"
CLOSED_STATUSES = ("answered",)  # our statuses; received, routed, returned, objected are open
_NUMBER = re.compile(r"^[0-9]{4}-[0-9]{6,9}$")

STATUS_NOTES = {
    "received": bilingual("open311.status.received"),
    "routed": bilingual("open311.status.routed"),
    "returned": bilingual("open311.status.returned"),
    "answered": bilingual("open311.status.answered"),
    "objected": bilingual("open311.status.objected"),
}
RECEIVED_NOTICE = bilingual("open311.received_notice")


class InvalidApiKey(Forbidden):
    """A POST without an ``api_key``, or with one no active client app holds (403)."""


# --- jurisdictions ------------------------------------------------------------------------------

def jurisdiction_of(province_name):
    return fold(province_name).replace(" ", "-") + JURISDICTION_SUFFIX


def jurisdictions():
    """``{jurisdiction_id: Province}`` of every province."""
    return {jurisdiction_of(province.name): province for province in places().provinces}


def province_of(jurisdiction_id, required=True):
    """The province of ``jurisdiction_id`` (any case); None when optional and not given."""
    if jurisdiction_id is None or not jurisdiction_id.strip():
        if required:
            raise ValidationFailed({"jurisdiction_id": REQUIRED})
        return None
    province = jurisdictions().get(jurisdiction_id.strip().lower())
    if province is None:
        raise NotFound("jurisdiction")
    return province


# --- services -----------------------------------------------------------------------------------

class Service(TypedDict):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class AttributeValue(TypedDict):
    key: str
    name: str


class Attribute(TypedDict):
    variable: bool
    code: str
    datatype: str
    required: bool
    datatype_description: Optional[str]
    order: int
    description: str
    values: list[AttributeValue]


class ServiceDefinition(TypedDict):
    service_code: str
    attributes: list[Attribute]


def _bilingual(name):
    return SEPARATOR.join(name[language] for language in LANGUAGES) if name["tr"] != name["en"] else name["tr"]


def services(catalogue):
    kinds = [kind["name"] for kind in catalogue["kinds"]]
    return [{
        "service_code": category["code"],
        "service_name": _bilingual(category["name"]),
        "description": SEPARATOR.join(message("open311.service_description", language,
                                              category=category["name"][language]) for language in LANGUAGES),
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join([category["name"]["tr"].lower(), category["name"]["en"].lower()]
                              + [name["tr"].lower() for name in kinds]),
        "group": bilingual("open311.group"),
    } for category in catalogue["categories"]]


def find_category(catalogue, service_code):
    for category in catalogue["categories"]:
        if category["code"] == service_code:
            return category
    raise NotFound("service")


def _attribute(order, code, datatype, required, description, datatype_description=None, values=()):
    return {"variable": True, "code": code, "datatype": datatype, "required": required,
            "datatype_description": datatype_description, "order": order, "description": description,
            "values": [{"key": key, "name": name} for key, name in values]}


def service_definition(catalogue, service_code, province=None):
    """The attributes a request of ``service_code`` takes; with a province, its districts to choose."""
    category = find_category(catalogue, service_code)
    if province is not None:
        district = _attribute(2, "district", "singlevaluelist", True, bilingual("open311.attribute.district"),
                              values=[(name, name) for name in province.districts])
    else:
        district = _attribute(2, "district", "string", True, bilingual("open311.attribute.district"),
                              bilingual("open311.attribute.district_datatype"))
    return {"service_code": category["code"], "attributes": [
        _attribute(1, "kind", "singlevaluelist", True, bilingual("open311.attribute.kind"),
                   values=[(kind["code"], _bilingual(kind["name"])) for kind in catalogue["kinds"]]),
        district,
        _attribute(3, "subject", "string", True, bilingual("open311.attribute.subject"),
                   bilingual("open311.attribute.subject_datatype")),
        _attribute(4, "national_id", "string", True, bilingual("open311.attribute.national_id"),
                   bilingual("open311.attribute.national_id_datatype")),
        _attribute(5, "language", "singlevaluelist", False, bilingual("open311.attribute.language"),
                   values=[("tr", "Türkçe"), ("en", "English")]),
        _attribute(6, "birth_year", "string", False, bilingual("open311.attribute.birth_year")),
        _attribute(7, "birth_date", "string", False, bilingual("open311.attribute.birth_date")),
        _attribute(8, "phone_verification_id", "string", False, bilingual("open311.attribute.phone_verification_id")),
        _attribute(9, "phone_verification_code", "string", False,
                   bilingual("open311.attribute.phone_verification_code")),
    ]}


# --- POST requests: the form → an application body ----------------------------------------------

FORM_FIELDS = {  # Open311 parameter → where it goes in the application body (None: not kept)
    "api_key": None, "jurisdiction_id": None, "service_code": ("category",),
    "first_name": ("applicant", "first_name"), "last_name": ("applicant", "last_name"),
    "phone": ("applicant", "phone"), "email": ("applicant", "email"), "description": ("description",),
    "attribute[kind]": ("kind",), "attribute[district]": ("district",), "attribute[subject]": ("subject",),
    "attribute[national_id]": ("applicant", "national_id"), "attribute[language]": ("language",),
    # Where the service checks identities and phones (docs/identity.md): the birth year (a foreigner's
    # YKN: the birth date) and the proven phone verification.
    "attribute[birth_year]": ("applicant", "birth_year"), "attribute[birth_date]": ("applicant", "birth_date"),
    "attribute[phone_verification_id]": ("phone_verification", "id"),
    "attribute[phone_verification_code]": ("phone_verification", "code"),
    # The location is the district (an attribute); coordinates, addresses, devices, accounts and media
    # are accepted as the specification has them and not kept: nothing of ours holds them.
    "lat": None, "long": None, "address_string": None, "address_id": None, "device_id": None,
    "account_id": None, "media_url": None,
}
# Our field paths (intake's refusals) → the Open311 parameter the client sent.
OPEN311_NAMES = {".".join(path): name for name, path in FORM_FIELDS.items() if path}
OPEN311_NAMES["province"] = "jurisdiction_id"
OPEN311_NAMES["channel"] = "api_key"  # set by us: cannot be the client's mistake


class Receipt(TypedDict):
    service_request_id: str
    service_notice: str
    account_id: Optional[str]


def application_body(form, province):
    """The application body of a POSTed form (``{name: value}``), channel ``app``; unknown
    parameters are refused by name, absent ones left to intake to call required (but
    ``service_code``, which intake would give its default category)."""
    unknown = {name: UNKNOWN_FIELD for name in form if name not in FORM_FIELDS}
    if not (form.get("service_code") or "").strip():  # GeoReport requires it; intake would default it
        unknown["service_code"] = REQUIRED
    if unknown:
        raise ValidationFailed(unknown)
    body = {"applicant": {}, "province": province.code, "channel": "app"}
    for name, path in FORM_FIELDS.items():
        if path and form.get(name) not in (None, ""):
            target = body.setdefault(path[0], {}) if len(path) == 2 else body
            target[path[-1]] = form[name]
    return body


def open311_fields(fields):
    """Intake's refusals named as the client sent them (``applicant.phone`` → ``phone``)."""
    return {OPEN311_NAMES.get(path, path): reason for path, reason in fields.items()}


def receipt(application_receipt):
    return {"service_request_id": application_receipt["application_no"], "service_notice": RECEIVED_NOTICE,
            "account_id": None}


# --- GET requests: the query → tracking's public requests query ---------------------------------

def requests_query(args, province, known_codes, now):
    """Tracking's query (``list_public_requests``) of an Open311 GET requests query (None: it can
    match nothing): a ``service_request_id`` list overrides the rest; else the period (default the last 90 days,
    at most 90 days), ``service_code`` and ``status`` lists. Refusals name the parameter."""
    reasons = {}
    query = {"province_code": province.code, "limit": MAX_REQUESTS, "application_nos": [], "categories": [],
             "statuses": []}
    # Every parameter is checked for its form, even those a service_request_id list overrides: a
    # malformed one is a client's mistake to hear about, whichever parameters win.
    codes = _comma_list(args.get("service_code"))
    if any(code not in known_codes for code in codes):
        reasons["service_code"] = bilingual("open311.service_code_unknown")
    statuses = [status.lower() for status in _comma_list(args.get("status"))]
    if any(status not in (OPEN, CLOSED) for status in statuses):
        reasons["status"] = bilingual("open311.status_filter")
    start, end = (_moment(args.get(name), name, reasons) for name in ("start_date", "end_date"))
    ids = _comma_list(args.get("service_request_id"))
    if len(ids) > MAX_REQUESTS:
        reasons["service_request_id"] = bilingual("open311.too_many_ids", maximum=MAX_REQUESTS)
    if reasons:
        raise ValidationFailed(reasons)
    if ids:
        # A number in no known form names no application: asking only for such finds nothing (None).
        query["application_nos"] = [value for value in ids if _NUMBER.match(value)]
        return query if query["application_nos"] else None
    query["categories"] = codes
    query["statuses"] = sorted(set(statuses))
    if start is None and end is None:
        end = now
    if start is None:
        start = end - timedelta(days=MAX_DAYS)
    if end is None:
        end = start + timedelta(days=MAX_DAYS)
    if end < start:
        raise ValidationFailed({"end_date": bilingual("open311.end_before_start")})
    if end - start > timedelta(days=MAX_DAYS):
        raise ValidationFailed({"end_date": bilingual("open311.range_too_long", days=MAX_DAYS)})
    query["start"], query["end"] = clock.to_iso(start, "microseconds"), clock.to_iso(end, "microseconds")
    return query


def _comma_list(value):
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _moment(value, name, reasons):
    """A W3C date-time with its offset (``2026-11-01T00:00:00Z``, ``…+03:00``)."""
    if value is None or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or "T" not in value:
        reasons[name] = bilingual("open311.w3c_time")
        return None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:  # 9999-12-31 + 90 days would overflow
        reasons[name] = YEAR_OUT_OF_RANGE
        return None
    return moment


# --- a request as any GET shows it --------------------------------------------------------------

class ServiceRequest(TypedDict):
    service_request_id: str
    status: str
    status_notes: str
    service_name: str
    service_code: str
    description: Optional[str]
    agency_responsible: Optional[str]
    service_notice: Optional[str]
    requested_datetime: str
    updated_datetime: str
    expected_datetime: str
    address: str
    address_id: Optional[str]
    zipcode: Optional[str]
    lat: Optional[float]
    long: Optional[float]
    media_url: Optional[str]


def service_request(view, catalogue):
    """Tracking's public request (``PublicRequest``) as GeoReport v2 has it. ``description`` is
    always null: the citizen's text is personal data (docs/privacy.md#what-is-personal)."""
    names = {category["code"]: _bilingual(category["name"]) for category in catalogue["categories"]}
    return {
        "service_request_id": view["application_no"],
        "status": CLOSED if view["status"] in CLOSED_STATUSES else OPEN,
        "status_notes": STATUS_NOTES[view["status"]],
        "service_name": names.get(view["category"], view["category"]),
        "service_code": view["category"],
        "description": None,
        "agency_responsible": view["unit"],
        "service_notice": None,
        "requested_datetime": view["received_at"],
        "updated_datetime": view["updated_at"],
        "expected_datetime": view["due_at"],
        "address": "{}, {}".format(view["district"], view["province"]),
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


# --- discovery ----------------------------------------------------------------------------------

class Endpoint(TypedDict):
    specification: str
    url: str
    changeset: str
    type: str
    formats: list[str]


class Discovery(TypedDict):
    changeset: str
    contact: str
    key_service: str
    endpoints: list[Endpoint]


def discovery(base_url, media_types):
    return {
        "changeset": CHANGESET,
        "contact": bilingual("open311.contact"),
        "key_service": bilingual("open311.key_service"),
        "endpoints": [{"specification": SPECIFICATION, "url": base_url.rstrip("/") + "/open311/v2",
                       "changeset": CHANGESET, "type": "production", "formats": list(media_types)}],
    }
