"""The gateway's KVKK routes: admins only; intake checks the body and finds the applicant; the export
gathers each service's part; errors come through the one table."""
import pytest

from common.errors import NotFound, ValidationFailed
from tests.unit.gateway.test_gateway_staff import (  # noqa: F401  (app, client, rpc: fixtures)
    PRINCIPALS,
    app,
    bearer,
    client,
    error_of,
    rpc,
)

EXPORT = "/api/v1/admin/personal-data/export"
ERASE = "/api/v1/admin/personal-data/erase"
NATIONAL_ID = "10000000146"
APPLICANT = {"national_id": NATIONAL_ID, "first_name": "Ayşe", "last_name": "Yılmaz", "phone": "+905321234567",
             "email": None}
INTAKE_EXPORT = {"national_id": NATIONAL_ID, "applications": [
    {"application_no": "2026-000001", "applicant": APPLICANT, "subject": "Yoldaki çukur"},
    {"application_no": "2026-000007", "applicant": APPLICANT, "subject": "Park lambası"},
]}
SMS_PART = {"recipient": {"phone": "+905321234567", "language": "tr"}, "erased_at": None, "messages": []}
ROUTING_PART = {"contacts": [{"at": "2026-03-02T11:00:00+03:00", "channel": "phone", "note": "Arandı.",
                              "by": "ankara.router"}], "objection": None, "erased_at": None}
TRACKING_PART = {"ratings": [{"score": 4, "comment": "Hızlıydı.", "given_at": "2026-03-05T10:00:00+03:00"}]}


def test_export_gathers_intakes_notifications_and_routings_parts(app, client, rpc):
    rpc.answer("intake.export_personal_data", INTAKE_EXPORT)
    rpc.answer("notification.export_personal_data", {"2026-000001": SMS_PART})
    rpc.answer("routing.export_personal_data", {"2026-000001": ROUTING_PART, "2026-000007": ROUTING_PART})
    rpc.answer("tracking.export_personal_data", {"2026-000007": TRACKING_PART})

    response = client.post(EXPORT, json={"national_id": NATIONAL_ID}, headers=bearer(app, "admin"))

    assert response.status_code == 200
    numbers = ["2026-000001", "2026-000007"]
    assert rpc.calls == [
        ("intake", "export_personal_data", (PRINCIPALS["admin"], {"national_id": NATIONAL_ID}), {}),
        ("notification", "export_personal_data", (PRINCIPALS["admin"], numbers), {}),
        ("routing", "export_personal_data", (PRINCIPALS["admin"], numbers), {}),
        ("tracking", "export_personal_data", (PRINCIPALS["admin"], numbers), {}),
    ]
    first, second = response.get_json()["applications"]
    assert first == dict(INTAKE_EXPORT["applications"][0], sms=SMS_PART, routing=ROUTING_PART, tracking=None)
    assert (second["sms"], second["routing"], second["tracking"]) == (None, ROUTING_PART, TRACKING_PART)


def test_erase_passes_the_body_to_intake_alone(app, client, rpc):
    body = {"national_id": NATIONAL_ID, "reason": "KVKK silme başvurusu"}

    response = client.post(ERASE, json=body, headers=bearer(app, "admin"))

    assert response.status_code == 200
    assert response.get_json() == {"erased": ["2026-000001"], "erased_at": "2026-03-02T10:15:00+03:00"}
    assert rpc.calls == [("intake", "erase_personal_data", (PRINCIPALS["admin"], body), {})]


@pytest.mark.parametrize("path", [EXPORT, ERASE])
def test_invalid_national_id_is_422_naming_the_field_without_its_value(app, client, rpc, path):
    reasons = {"national_id": "geçersiz T.C. kimlik numarası / invalid national ID number"}
    method = "intake.export_personal_data" if path == EXPORT else "intake.erase_personal_data"
    rpc.answer(method, ValidationFailed(reasons))

    response = client.post(path, json={"national_id": "10000000147", "reason": "x"}, headers=bearer(app, "admin"))

    assert error_of(response, 422, "validation_failed")["fields"] == reasons
    assert b"10000000147" not in response.data


@pytest.mark.parametrize("path", [EXPORT, ERASE])
def test_nobody_found_is_404_and_nothing_else_is_asked(app, client, rpc, path):
    method = "intake.export_personal_data" if path == EXPORT else "intake.erase_personal_data"
    rpc.answer(method, NotFound("applicant"))

    response = client.post(path, json={"national_id": NATIONAL_ID, "reason": "KVKK"}, headers=bearer(app, "admin"))

    error_of(response, 404, "not_found")
    assert len(rpc.calls) == 1
    assert NATIONAL_ID.encode() not in response.data


@pytest.mark.parametrize("role", ["desk", "router", "unit"])
@pytest.mark.parametrize("path", [EXPORT, ERASE])
def test_other_roles_get_403_without_a_call(app, client, rpc, role, path):
    response = client.post(path, json={"national_id": NATIONAL_ID}, headers=bearer(app, role))

    error_of(response, 403, "forbidden")
    assert rpc.calls == []


def test_a_non_json_body_is_415_before_any_call(app, client, rpc):
    response = client.post(EXPORT, data="national_id=" + NATIONAL_ID, headers=bearer(app, "admin"))

    error_of(response, 415, "unsupported_media_type")
    assert rpc.calls == []
