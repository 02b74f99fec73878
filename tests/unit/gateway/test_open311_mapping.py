"""Between Open311 and Açık Kapı (gateway/open311/mapping.py): jurisdictions, services and their
definitions, the POSTed form, the requests query, and a request as any GET shows it."""
from datetime import UTC, datetime, timedelta

import pytest

from common.errors import NotFound, ValidationFailed
from common.fields import REQUIRED, UNKNOWN_FIELD
from common.places import places
from contracts.intake.catalog import client_catalogue
from gateway.open311 import mapping

CATALOGUE = client_catalogue()
CODES = {category["code"] for category in CATALOGUE["categories"]}
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
ANKARA = places().find_province("ankara")
PUBLIC = {"application_no": "2026-000123", "status": "routed", "category": "health", "province": "Ankara",
          "district": "Çankaya", "received_at": "2026-11-20T10:15:00+03:00", "due_at": "2026-11-27T10:15:00+03:00",
          "updated_at": "2026-11-21T09:00:00+03:00", "unit": "Çankaya İlçe Sağlık Müdürlüğü"}


# --- jurisdictions ------------------------------------------------------------------------------

@pytest.mark.parametrize("name, jurisdiction", [
    ("İstanbul", "istanbul.gov.tr"), ("Şanlıurfa", "sanliurfa.gov.tr"), ("Iğdır", "igdir.gov.tr"),
    ("Ağrı", "agri.gov.tr"), ("Çanakkale", "canakkale.gov.tr"), ("Kırıkkale", "kirikkale.gov.tr"),
])
def test_a_jurisdiction_is_the_governorship_domain_in_ascii(name, jurisdiction):
    assert mapping.jurisdiction_of(name) == jurisdiction
    assert mapping.province_of(jurisdiction).name == name


def test_every_province_has_its_own_jurisdiction():
    jurisdictions = mapping.jurisdictions()

    assert len(jurisdictions) == 81
    assert all(jurisdiction.isascii() and jurisdiction.endswith(".gov.tr") for jurisdiction in jurisdictions)


def test_a_jurisdiction_is_required_where_a_province_matters_and_must_be_known():
    with pytest.raises(ValidationFailed) as missing:
        mapping.province_of(None)
    assert missing.value.fields == {"jurisdiction_id": REQUIRED}
    with pytest.raises(ValidationFailed):
        mapping.province_of("  ")
    with pytest.raises(NotFound):
        mapping.province_of("atlantis.gov.tr")
    with pytest.raises(NotFound):
        mapping.province_of("istanbul")  # the domain, not the name
    assert mapping.province_of(None, required=False) is None
    assert mapping.province_of(" Ankara.Gov.TR ").code == "06"


# --- services -----------------------------------------------------------------------------------

def test_every_category_is_a_realtime_service_with_attributes():
    services = mapping.services(CATALOGUE)

    assert [service["service_code"] for service in services] == [category["code"] for category in
                                                                 CATALOGUE["categories"]]
    for service in services:
        assert set(service) == set(mapping.Service.__annotations__)
        assert service["metadata"] is True and service["type"] == "realtime"
    transport = next(service for service in services if service["service_code"] == "transport")
    assert transport["service_name"] == "Ulaşım / Transport"
    assert "ulaşım" in transport["keywords"] and "transport" in transport["keywords"]


def test_a_definition_lists_the_attributes_and_with_a_jurisdiction_its_districts():
    without = mapping.service_definition(CATALOGUE, "health")
    within = mapping.service_definition(CATALOGUE, "health", ANKARA)

    codes = [attribute["code"] for attribute in without["attributes"]]
    assert codes == ["kind", "district", "subject", "national_id", "language", "birth_year", "birth_date",
                     "phone_verification_id", "phone_verification_code"]
    assert [attribute["order"] for attribute in without["attributes"]] == list(range(1, 10))
    assert [attribute["required"] for attribute in without["attributes"]][5:] == [False] * 4
    for attribute in within["attributes"]:
        assert set(attribute) == set(mapping.Attribute.__annotations__)
    district = {attribute["code"]: attribute for attribute in within["attributes"]}["district"]
    assert district["datatype"] == "singlevaluelist" and {"key": "Çankaya", "name": "Çankaya"} in district["values"]
    assert len(district["values"]) == len(ANKARA.districts)
    assert {attribute["code"]: attribute for attribute in without["attributes"]}["district"]["datatype"] == "string"
    with pytest.raises(NotFound):
        mapping.service_definition(CATALOGUE, "potholes")


# --- POST: the form → an application body -------------------------------------------------------

FORM = {"api_key": "ak311_x", "jurisdiction_id": "ankara.gov.tr", "service_code": "health", "first_name": "Ayşe",
        "last_name": "Yılmaz", "phone": "0532 123 45 67", "email": "ayse@example.org",
        "description": "Randevu alamıyorum, yardım rica ederim.", "attribute[kind]": "complaint",
        "attribute[district]": "Çankaya", "attribute[subject]": "Sağlık ocağı", "attribute[national_id]": "10000000146",
        "attribute[language]": "en", "lat": "39.9", "long": "32.8", "address_string": "Kızılay", "device_id": "d1",
        "media_url": ""}


def test_a_form_becomes_an_application_of_channel_app_in_the_jurisdictions_province():
    body = mapping.application_body(FORM, ANKARA)

    assert body == {
        "applicant": {"national_id": "10000000146", "first_name": "Ayşe", "last_name": "Yılmaz",
                      "phone": "0532 123 45 67", "email": "ayse@example.org"},
        "province": "06", "channel": "app", "category": "health", "kind": "complaint", "district": "Çankaya",
        "subject": "Sağlık ocağı", "description": "Randevu alamıyorum, yardım rica ederim.", "language": "en",
    }


def test_the_birth_year_and_the_phone_proof_go_where_intake_checks_them():
    body = mapping.application_body(dict(FORM, **{
        "attribute[birth_year]": "1985", "attribute[phone_verification_id]": "5f0c1d2e3a4b5c6d7e8f9a0b1c2d3e4f",
        "attribute[phone_verification_code]": "482913"}), ANKARA)

    assert body["applicant"]["birth_year"] == "1985"
    assert body["phone_verification"] == {"id": "5f0c1d2e3a4b5c6d7e8f9a0b1c2d3e4f", "code": "482913"}
    assert mapping.open311_fields({"phone_verification.code": "wrong"}) == {
        "attribute[phone_verification_code]": "wrong"}


def test_absent_fields_are_left_for_intake_to_call_required_and_unknown_ones_refused():
    body = mapping.application_body({"service_code": "health", "phone": ""}, ANKARA)
    assert body == {"applicant": {}, "province": "06", "channel": "app", "category": "health"}

    with pytest.raises(ValidationFailed) as refused:
        mapping.application_body(dict(FORM, **{"attribute[colour]": "red", "status": "closed"}), ANKARA)
    assert refused.value.fields == {"attribute[colour]": UNKNOWN_FIELD, "status": UNKNOWN_FIELD}


def test_intakes_refusals_are_named_as_the_client_sent_them():
    renamed = mapping.open311_fields({"applicant.national_id": "a", "applicant.phone": "b", "district": "c",
                                      "subject": "d", "category": "e", "province": "f", "description": "g",
                                      "headers.Idempotency-Key": "h"})

    assert renamed == {"attribute[national_id]": "a", "phone": "b", "attribute[district]": "c",
                       "attribute[subject]": "d", "service_code": "e", "jurisdiction_id": "f", "description": "g",
                       "headers.Idempotency-Key": "h"}


def test_the_receipt_is_the_application_number_at_once():
    receipt = mapping.receipt({"application_no": "2026-000123", "tracking_code": "K7M2PQ9X"})

    assert receipt["service_request_id"] == "2026-000123" and receipt["account_id"] is None
    assert "K7M2PQ9X" not in str(receipt)  # the code goes to the applicant by SMS only
    assert set(receipt) == set(mapping.Receipt.__annotations__)


# --- GET requests: the query --------------------------------------------------------------------

def query(**args):
    return mapping.requests_query(args, ANKARA, CODES, NOW)


def test_the_default_period_is_the_last_90_days_of_all_codes_and_statuses():
    wanted = query()

    assert wanted["province_code"] == "06" and wanted["limit"] == 1000
    assert wanted["categories"] == [] and wanted["statuses"] == [] and wanted["application_nos"] == []
    assert datetime.fromisoformat(wanted["end"]) == NOW
    assert datetime.fromisoformat(wanted["start"]) == NOW - timedelta(days=90)


def test_one_end_of_the_period_gives_the_other_90_days_away():
    from_start = query(start_date="2026-01-01T00:00:00Z")
    to_end = query(end_date="2026-06-01T00:00:00+03:00")

    assert datetime.fromisoformat(from_start["end"]) == datetime(2026, 4, 1, tzinfo=UTC)
    assert datetime.fromisoformat(to_end["start"]) == datetime.fromisoformat("2026-03-03T00:00:00+03:00")


def test_lists_of_codes_and_statuses():
    wanted = query(service_code="health, transport", status="closed,OPEN")

    assert wanted["categories"] == ["health", "transport"] and wanted["statuses"] == ["closed", "open"]


def test_request_ids_override_the_rest_and_ids_in_no_known_form_find_nothing():
    wanted = query(service_request_id="2026-000001,2026-000002", service_code=sorted(CODES)[0],
                   start_date="2026-01-01T00:00:00Z", end_date="2025-01-01T00:00:00Z")

    assert wanted["application_nos"] == ["2026-000001", "2026-000002"] and "start" not in wanted
    assert wanted["categories"] == []
    assert query(service_request_id="../etc,abc") is None
    with pytest.raises(ValidationFailed):
        query(service_request_id=",".join("2026-{:06d}".format(n) for n in range(1001)))


def test_parameters_a_request_id_list_overrides_are_still_refused_when_malformed():
    with pytest.raises(ValidationFailed) as refused:
        query(service_request_id="2026-000001", start_date="x", status="lost")

    assert set(refused.value.fields) == {"start_date", "status"}


@pytest.mark.parametrize("args, field", [
    ({"start_date": "2026-01-01"}, "start_date"),  # a date-time, not a day
    ({"start_date": "2026-01-01T00:00:00"}, "start_date"),  # with its offset
    ({"end_date": "yesterday"}, "end_date"),
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-02T00:00:00Z"}, "end_date"),  # 91 days
    ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "end_date"),
    ({"status": "pending"}, "status"),
    ({"service_code": "health,potholes"}, "service_code"),
])
def test_bad_queries_are_refused_naming_the_parameter(args, field):
    with pytest.raises(ValidationFailed) as refused:
        query(**args)

    assert field in refused.value.fields


# --- a request as any GET shows it --------------------------------------------------------------

def test_a_request_has_the_specifications_fields_and_nothing_personal():
    request = mapping.service_request(PUBLIC, CATALOGUE)

    assert set(request) == set(mapping.ServiceRequest.__annotations__)
    assert request["service_request_id"] == "2026-000123" and request["status"] == "open"
    assert request["service_name"] == "Sağlık / Health" and request["service_code"] == "health"
    assert request["agency_responsible"] == "Çankaya İlçe Sağlık Müdürlüğü"
    assert request["requested_datetime"] == PUBLIC["received_at"]
    assert request["updated_datetime"] == PUBLIC["updated_at"]
    assert request["expected_datetime"] == PUBLIC["due_at"]
    assert request["address"] == "Çankaya, Ankara"
    assert request["description"] is None and request["lat"] is None and request["media_url"] is None


@pytest.mark.parametrize("status, public", [("received", "open"), ("routed", "open"), ("returned", "open"),
                                            ("answered", "closed"), ("objected", "open")])
def test_only_answered_is_closed_and_every_status_has_its_note(status, public):
    request = mapping.service_request(dict(PUBLIC, status=status, unit=None), CATALOGUE)

    assert request["status"] == public
    assert " / " in request["status_notes"]  # Turkish, then English
    assert request["agency_responsible"] is None


def test_every_status_of_tracking_has_its_note():
    from services.tracking.domain import STATUSES

    assert set(mapping.STATUS_NOTES) == set(STATUSES)


def test_discovery_names_this_endpoint_and_both_formats():
    discovery = mapping.discovery("https://acikkapi.gov.tr/", ["application/json", "text/xml"])

    assert set(discovery) == set(mapping.Discovery.__annotations__)
    [endpoint] = discovery["endpoints"]
    assert endpoint["url"] == "https://acikkapi.gov.tr/open311/v2" and endpoint["type"] == "production"
    assert endpoint["formats"] == ["application/json", "text/xml"]
