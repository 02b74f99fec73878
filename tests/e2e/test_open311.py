"""Open311 GeoReport v2 against the running system, driven by an existing Open311 client from PyPI
(``georeport`` 0.3.1: services, service definitions and requests, JSON and XML; it has no POST,
so requests are POSTed as the specification describes, a form) and checked against the
specification's fields: every response, both formats, nothing personal in any GET.
"""
import re

import pytest
import requests
from defusedxml import ElementTree
from georeport import GeoReport

from tests.support.processes import wait_until

TIMEOUT = 15
JURISDICTION = "ankara.gov.tr"
FORMATS = ("json", "xml")
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
NUMBER = re.compile(r"^\d{4}-\d{6,9}$")

# The specification's fields of each resource (GeoReport v2).
DISCOVERY_FIELDS = {"changeset", "contact", "key_service", "endpoints"}
ENDPOINT_FIELDS = {"specification", "url", "changeset", "type", "formats"}
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
DEFINITION_FIELDS = {"service_code", "attributes"}
ATTRIBUTE_FIELDS = {"variable", "code", "datatype", "required", "datatype_description", "order", "description",
                    "values"}
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
RECEIPT_FIELDS = {"service_request_id", "service_notice", "account_id"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}
ERROR_FIELDS = {"code", "description"}

APPLICANT = {"national_id": "10000000146", "first_name": "Ayşe", "last_name": "Yılmaz", "phone": "0532 123 45 67"}
SUBJECT = "Sağlık ocağı randevusu"
DESCRIPTION = "Çankaya'daki sağlık ocağından iki haftadır randevu alamıyorum, yardım rica ederim."
# What no GET may show: the applicant, their phone in any spelling, their words.
PERSONAL = ("10000000146", "Ayşe", "Yılmaz", "5321234567", "532 123 45 67", SUBJECT, DESCRIPTION)


def form(api_key, **overrides):
    """A valid Open311 POST (an Ankara/Çankaya health complaint)."""
    fields = {"api_key": api_key, "jurisdiction_id": JURISDICTION, "service_code": "health",
              "first_name": APPLICANT["first_name"], "last_name": APPLICANT["last_name"],
              "phone": APPLICANT["phone"], "description": DESCRIPTION, "lat": "39.91", "long": "32.85",
              "attribute[kind]": "complaint", "attribute[district]": "Çankaya", "attribute[subject]": SUBJECT,
              "attribute[national_id]": APPLICANT["national_id"]}
    fields.update(overrides)
    return {name: value for name, value in fields.items() if value is not None}


@pytest.fixture(scope="module")
def api_key(staff):
    issued = staff.request("POST", "/api/v1/admin/open311-clients", "ankara.admin", json={"name": "Şehrim Uygulaması"})
    assert issued.status_code == 201, issued.text
    return issued.json()["api_key"]


@pytest.fixture(scope="module")
def base(running_system):
    return running_system.url + "/open311/v2"


def client(base, fmt, api_key=None, jurisdiction=JURISDICTION):
    return GeoReport(base, jurisdiction=jurisdiction, api_key=api_key, output_format=fmt)


def post(base, fmt, fields):
    return requests.post("{}/requests.{}".format(base, fmt), data=fields, timeout=TIMEOUT)


def as_list(value):
    """xmltodict gives one repeated element as a dict, several as a list."""
    return value if isinstance(value, list) else [value]


def xml_items(response, root, item):
    """The items of an XML answer as {field: text}, after checking the declaration and the root."""
    assert response.headers["Content-Type"].startswith("text/xml"), response.headers["Content-Type"]
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    document = ElementTree.fromstring(response.content)
    assert document.tag == root
    assert all(child.tag == item for child in document)
    return [{child.tag: child for child in element} for element in document]


def submitted(base, api_key, fmt="json", **overrides):
    response = post(base, fmt, form(api_key, **overrides))
    assert response.status_code == 201, response.text
    if fmt == "json":
        [receipt] = response.json()
        assert set(receipt) == RECEIPT_FIELDS
        return receipt["service_request_id"]
    [receipt] = xml_items(response, "service_requests", "request")
    assert set(receipt) == RECEIPT_FIELDS
    return receipt["service_request_id"].text


def check_request(request, fmt):
    """One request (JSON, or xmltodict's reading of the XML) against the specification."""
    assert set(request) == REQUEST_FIELDS
    assert NUMBER.match(request["service_request_id"])
    assert request["status"] in ("open", "closed")
    assert request["status_notes"] and request["service_name"] and request["service_code"]
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C.match(request[name]), (name, request[name])
    assert request["description"] is None  # the citizen's text is personal data
    assert request["address"] == "Çankaya, Ankara"
    assert all(request[name] is None for name in ("lat", "long", "address_id", "zipcode", "media_url"))


def no_personal_data(response):
    text = response.content.decode("utf-8")
    assert not [value for value in PERSONAL if value in text], response.url


# --- discovery, services, service definitions ---------------------------------------------------

def test_discovery_in_json_and_xml(base):
    answer = requests.get(base + "/discovery.json", timeout=TIMEOUT)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("application/json")
    discovery = answer.json()
    assert set(discovery) == DISCOVERY_FIELDS
    [endpoint] = discovery["endpoints"]
    assert set(endpoint) == ENDPOINT_FIELDS
    assert endpoint["url"] == base and endpoint["specification"].endswith("GeoReport_v2")
    assert set(endpoint["formats"]) == {"application/json", "text/xml"}

    xml = requests.get(base + "/discovery.xml", timeout=TIMEOUT)
    document = ElementTree.fromstring(xml.content)
    assert document.tag == "discovery" and {child.tag for child in document} == DISCOVERY_FIELDS
    [xml_endpoint] = document.find("endpoints")
    assert xml_endpoint.tag == "endpoint" and {child.tag for child in xml_endpoint} == ENDPOINT_FIELDS
    assert [format_.text for format_ in xml_endpoint.find("formats")] == endpoint["formats"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_through_the_client(base, fmt):
    services = as_list(client(base, fmt).get_service_list())

    assert {service["service_code"] for service in services} >= {"health", "transport", "education"}
    for service in services:
        assert set(service) == SERVICE_FIELDS
        assert service["metadata"] in (True, "true") and service["type"] == "realtime"
        assert service["service_name"] and service["keywords"] and service["group"]
    health = next(service for service in services if service["service_code"] == "health")
    assert health["service_name"] == "Sağlık / Health"


def test_services_are_the_same_in_both_formats(base):
    as_json = client(base, "json").get_service_list()
    as_xml = client(base, "xml").get_service_list()

    assert [dict(service, metadata=str(service["metadata"]).lower()) for service in as_json] == as_xml


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_through_the_client(base, fmt):
    definition = client(base, fmt).get_service_definition("health")

    assert set(definition) == DEFINITION_FIELDS and definition["service_code"] == "health"
    attributes = definition["attributes"] if fmt == "json" else as_list(definition["attributes"]["attribute"])
    for attribute in attributes:
        assert set(attribute) == ATTRIBUTE_FIELDS
        assert attribute["datatype"] in DATATYPES
        assert attribute["variable"] in (True, "true")
    by_code = {attribute["code"]: attribute for attribute in attributes}
    assert {"kind", "district", "subject", "national_id"} <= set(by_code)
    assert all(by_code[code]["required"] in (True, "true") for code in ("kind", "district", "subject", "national_id"))
    district_values = by_code["district"]["values"]
    values = district_values if fmt == "json" else as_list(district_values["value"])
    assert {"key": "Çankaya", "name": "Çankaya"} in values  # the jurisdiction's districts
    kinds = by_code["kind"]["values"] if fmt == "json" else as_list(by_code["kind"]["values"]["value"])
    assert {value["key"] for value in kinds} == {"request", "complaint", "suggestion"}


# --- POST: an application like any other --------------------------------------------------------

def test_a_request_posted_through_open311_gets_the_sms_and_is_tracked(base, api_key, running_system, staff):
    number = submitted(base, api_key)

    (sms,) = wait_until(lambda: running_system.sms_for(number), timeout=10, what="the received SMS")
    assert sms["dest"] == "905321234567"
    code = re.search(r"(?:takip kodu|tracking code): ([A-Z2-9]{8})", sms["msg"]).group(1)
    tracked = wait_until(lambda: _ok(requests.get("{}/api/v1/applications/{}".format(running_system.url, number),
                                                  params={"tracking_code": code}, timeout=TIMEOUT)),
                         timeout=10, what="tracking").json()
    assert tracked["status"] == "received" and tracked["category"] == "health"
    assert tracked["province"] == "Ankara" and tracked["district"] == "Çankaya"
    record = staff.wait_visible("ankara.router", number)
    assert record["channel"] == "app" and record["client"] == "Şehrim Uygulaması"
    assert record["kind"] == "complaint" and record["subject"] == SUBJECT

    request = wait_until(lambda: _request(base, number, "json"), timeout=10, what="the Open311 request")
    check_request(request, "json")
    assert request["status"] == "open" and request["service_code"] == "health"
    assert request["requested_datetime"] == tracked["received_at"]
    assert request["expected_datetime"] == tracked["due_at"]


def test_a_request_posted_as_xml_answers_in_xml(base, api_key):
    number = submitted(base, api_key, fmt="xml", **{"attribute[language]": "en"})

    assert NUMBER.match(number)


def test_a_post_without_a_valid_api_key_is_403_in_both_formats(base, api_key, staff):
    for fields in (form(None), form("ak311_not-a-key"), form(api_key + "x")):
        answer = post(base, "json", fields)
        assert answer.status_code == 403
        [error] = answer.json()
        assert set(error) == ERROR_FIELDS and error["code"] == 403 and "api_key" in error["description"]
        xml = post(base, "xml", fields)
        assert xml.status_code == 403
        [xml_error] = xml_items(xml, "errors", "error")
        assert xml_error["code"].text == "403"

    revoked = staff.request("POST", "/api/v1/admin/open311-clients", "ankara.admin", json={"name": "Eski Uygulama"})
    assert revoked.status_code == 201
    client_id, key = revoked.json()["client_id"], revoked.json()["api_key"]
    listed = staff.request("GET", "/api/v1/admin/open311-clients", "ankara.admin").json()
    assert key not in str(listed) and any(entry["client_id"] == client_id for entry in listed)
    assert post(base, "json", form(key, description=None)).status_code == 400  # the key works: the form does not
    changed = staff.request("PATCH", "/api/v1/admin/open311-clients/" + client_id, "ankara.admin",
                            json={"active": False})
    assert changed.status_code == 200 and changed.json()["active"] is False
    assert post(base, "json", form(key)).status_code == 403


def test_an_invalid_request_is_400_naming_the_open311_parameter(base, api_key):
    answer = post(base, "json", form(api_key, phone="123", **{"attribute[national_id]": "12345678901",
                                                             "attribute[subject]": None, "extra": "x"}))
    assert answer.status_code == 400
    assert all(set(error) == ERROR_FIELDS and error["code"] == 400 for error in answer.json())
    assert {error["description"].split(":")[0] for error in answer.json()} == {"extra"}  # unknown first

    answer = post(base, "xml", form(api_key, phone="123", **{"attribute[national_id]": "12345678901",
                                                            "attribute[subject]": None}))
    assert answer.status_code == 400
    named = {error["description"].text.split(":")[0] for error in xml_items(answer, "errors", "error")}
    assert named == {"phone", "attribute[national_id]", "attribute[subject]"}
    for text in ("123", "12345678901"):
        assert text not in answer.text  # reasons name the rule, never the value

    assert post(base, "json", form(api_key, jurisdiction_id=None)).status_code == 400
    assert post(base, "json", form(api_key, jurisdiction_id="atlantis.gov.tr")).status_code == 404
    assert post(base, "json", form(api_key, service_code="potholes")).json()[0]["description"].startswith(
        "service_code:")


# --- GET requests ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_through_the_client_show_no_personal_data(base, api_key, fmt):
    number = submitted(base, api_key)
    wait_until(lambda: _request(base, number, "json"), timeout=10, what="the Open311 request")
    reader = client(base, fmt)

    listed = as_list(reader.get_service_requests(service_code="health,transport", status="open"))
    by_id = as_list(reader.get_service_requests(service_request_id="{},2026-999999".format(number)))
    one = reader.get_service_request(number)

    assert number in {request["service_request_id"] for request in listed}
    assert [request["service_request_id"] for request in by_id] == [number]
    for request in listed + by_id + [one]:
        check_request(request, fmt)
    received = [request["requested_datetime"] for request in listed]
    assert received == sorted(received, reverse=True)  # newest first
    for path in ("/requests.{}".format(fmt), "/requests/{}.{}".format(number, fmt)):
        no_personal_data(requests.get(base + path, params={"jurisdiction_id": JURISDICTION}, timeout=TIMEOUT))


def test_both_paths_of_one_request_give_the_same_answer(base, api_key):
    number = submitted(base, api_key)
    wait_until(lambda: _request(base, number, "json"), timeout=10, what="the Open311 request")

    for fmt in FORMATS:
        plural = requests.get("{}/requests/{}.{}".format(base, number, fmt), params={"jurisdiction_id": JURISDICTION},
                              timeout=TIMEOUT)
        singular = requests.get("{}/request/{}.{}".format(base, number, fmt),
                                params={"jurisdiction_id": JURISDICTION}, timeout=TIMEOUT)
        assert plural.status_code == singular.status_code == 200
        assert plural.content == singular.content
    [item] = xml_items(plural, "service_requests", "request")
    assert set(item) == REQUEST_FIELDS


def test_an_answered_request_is_closed_with_its_unit(base, api_key, staff):
    number = submitted(base, api_key)
    staff.wait_visible("ankara.router", number)
    assert staff.route("ankara.router", number, "06-cankaya-health").status_code == 200
    routed = wait_until(lambda: _request(base, number, "json", agency=True), timeout=10, what="routed")
    assert routed["status"] == "open"
    assert routed["agency_responsible"] == "Çankaya İlçe Sağlık Müdürlüğü"
    answer_text = "Sağlık ocağının randevu saatleri genişletildi, Ayşe Hanım."
    assert staff.answer("ankara.health", number, text=answer_text).status_code == 200

    closed = wait_until(lambda: _request(base, number, "json", status="closed"), timeout=10, what="closed")
    check_request(closed, "json")
    assert closed["updated_datetime"] >= closed["requested_datetime"]
    reader = client(base, "json")
    assert number in {request["service_request_id"] for request in reader.get_service_requests(status="closed")}
    assert number not in {request["service_request_id"] for request in reader.get_service_requests(status="open")}
    answer = requests.get("{}/requests/{}.xml".format(base, number), params={"jurisdiction_id": JURISDICTION},
                          timeout=TIMEOUT)
    assert "randevu saatleri" not in answer.text  # the answer is the applicant's to read, with the code
    no_personal_data(answer)


def test_another_jurisdiction_does_not_see_the_request(base, api_key):
    number = submitted(base, api_key)
    wait_until(lambda: _request(base, number, "json"), timeout=10, what="the Open311 request")

    istanbul = client(base, "json", jurisdiction="istanbul.gov.tr")
    assert number not in {request["service_request_id"] for request in istanbul.get_service_requests()}
    with pytest.raises(requests.HTTPError) as refused:
        istanbul.get_service_request(number)
    assert refused.value.response.status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_errors_have_the_specifications_shape_and_status(base, fmt):
    cases = [
        ("/requests.{}", {}, 400, "jurisdiction_id"),
        ("/requests.{}", {"jurisdiction_id": "atlantis.gov.tr"}, 404, None),
        ("/requests.{}", {"jurisdiction_id": JURISDICTION, "start_date": "yesterday"}, 400, "start_date"),
        ("/requests.{}", {"jurisdiction_id": JURISDICTION, "start_date": "2026-01-01T00:00:00Z",
                          "end_date": "2026-06-01T00:00:00Z"}, 400, "end_date"),
        ("/requests.{}", {"jurisdiction_id": JURISDICTION, "status": "pending"}, 400, "status"),
        ("/requests.{}", {"jurisdiction_id": JURISDICTION, "service_code": "potholes"}, 400, "service_code"),
        ("/requests/2026-999999.{}", {"jurisdiction_id": JURISDICTION}, 404, None),
        ("/requests/2026-999999.{}", {}, 400, "jurisdiction_id"),
        ("/services/potholes.{}", {}, 404, None),
        ("/services.{}", {"jurisdiction_id": "atlantis.gov.tr"}, 404, None),
        ("/nothing-here.{}", {}, 404, None),
    ]
    for path, params, status, field in cases:
        answer = requests.get(base + path.format(fmt), params=params, timeout=TIMEOUT)
        assert answer.status_code == status, (path, params, answer.text)
        if fmt == "json":
            assert answer.headers["Content-Type"].startswith("application/json")
            errors = answer.json()
            assert all(set(error) == ERROR_FIELDS for error in errors)
            codes, descriptions = [error["code"] for error in errors], [error["description"] for error in errors]
        else:
            errors = xml_items(answer, "errors", "error")
            assert all(set(error) == ERROR_FIELDS for error in errors)
            codes = [int(error["code"].text) for error in errors]
            descriptions = [error["description"].text for error in errors]
        assert codes == [status] * len(errors) and errors, (path, params)
        if field:
            assert any(description.startswith(field + ":") for description in descriptions), descriptions


def test_the_client_raises_on_an_error(base):
    with pytest.raises(requests.HTTPError) as refused:
        client(base, "xml", jurisdiction=None).get_service_requests()

    assert refused.value.response.status_code == 400


def _ok(response):
    return response if response.status_code == 200 else None


def _request(base, number, fmt, status=None, agency=False):
    """The request once tracking has it (and, if asked, once it has that status or a unit)."""
    answer = requests.get("{}/requests/{}.{}".format(base, number, fmt), params={"jurisdiction_id": JURISDICTION},
                          timeout=TIMEOUT)
    if answer.status_code != 200:
        return None
    [request] = answer.json()
    if (status and request["status"] != status) or (agency and not request["agency_responsible"]):
        return None
    return request
