"""The Open311 routes of the gateway (gateway/open311/routes.py) over a fake RPC pool: what each
asks of the services, the api_key at the door, and errors in the specification's format under
/open311/ only (the one table of gateway/errors.py, dispatched on the path)."""
import pytest
from defusedxml import ElementTree

from common.errors import Conflict, Unauthorized, ValidationFailed
from contracts.intake.catalog import client_catalogue
from gateway.app import create_app
from gateway.rpc import RpcTimedOut, ServiceUnavailable
from gateway.settings import Settings
from tests.support.fake_rpc import FakeRpcPool

NUMBER = "2026-000123"
CLIENT = {"client_id": "5e1f0c2a9b7d", "name": "Şehrim Uygulaması"}
RECEIPT = {"application_no": NUMBER, "tracking_code": "K7M2PQ9X", "status": "received",
           "received_at": "2026-11-28T10:15:00+03:00", "due_at": "2026-12-05T10:15:00+03:00"}
PUBLIC = {"application_no": NUMBER, "status": "answered", "category": "health", "province": "Ankara",
          "district": "Çankaya", "received_at": "2026-11-20T10:15:00+03:00", "due_at": "2026-11-27T10:15:00+03:00",
          "updated_at": "2026-11-21T09:00:00+03:00", "unit": "Çankaya İlçe Sağlık Müdürlüğü"}
FORM = {"api_key": "ak311_key", "jurisdiction_id": "ankara.gov.tr", "service_code": "health", "first_name": "Ayşe",
        "last_name": "Yılmaz", "phone": "0532 123 45 67", "description": "Randevu alamıyorum, yardım rica ederim.",
        "attribute[kind]": "complaint", "attribute[district]": "Çankaya", "attribute[subject]": "Sağlık ocağı",
        "attribute[national_id]": "10000000146"}


@pytest.fixture
def rpc():
    return FakeRpcPool(**{
        "intake.get_catalog": client_catalogue(), "intake.submit_application": RECEIPT,
        "routing.authenticate_open311_client": CLIENT, "tracking.list_public_requests": [PUBLIC],
    })


@pytest.fixture
def client(rpc):
    app = create_app(Settings(amqp_uri="amqp://guest:guest@127.0.0.1:1/", rpc_timeout_seconds=1,
                              readiness_timeout_seconds=1, max_body_bytes=4096, retry_after_seconds=7,
                              secret_key="test-key"))
    app.extensions["rpc"] = rpc
    return app.test_client()


def calls_of(rpc, method):
    return [(args, kwargs) for _, name, args, kwargs in rpc.calls if name == method]


def test_a_post_is_an_application_of_the_client_app_channel_app(client, rpc):
    response = client.post("/open311/v2/requests.json", data=FORM, headers={"Idempotency-Key": "k-1"})

    assert response.status_code == 201
    assert response.get_json() == [{"service_request_id": NUMBER, "service_notice": response.get_json()[0][
        "service_notice"], "account_id": None}]
    assert response.headers["Location"].endswith(
        "/open311/v2/requests/{}.json?jurisdiction_id=ankara.gov.tr".format(NUMBER))
    assert calls_of(rpc, "authenticate_open311_client") == [(("ak311_key",), {})]
    [(args, kwargs)] = calls_of(rpc, "submit_application")
    assert kwargs == {"entry_point": "open311", "idempotency_key": "k-1", "client": CLIENT}
    assert args[0]["channel"] == "app" and args[0]["province"] == "06" and args[0]["category"] == "health"


@pytest.mark.parametrize("api_key", [None, "", "x" * 201])
def test_no_usable_api_key_is_403_without_asking_anyone(client, rpc, api_key):
    form = dict(FORM, api_key=api_key) if api_key is not None else {k: v for k, v in FORM.items() if k != "api_key"}

    response = client.post("/open311/v2/requests.json", data=form)

    assert response.status_code == 403
    assert response.get_json() == [{"code": 403, "description": "api_key eksik veya geçersiz. / "
                                                                "The api_key is missing or invalid."}]
    assert rpc.calls == []


def test_a_key_routing_does_not_know_is_403_in_xml_too(client, rpc):
    rpc.answer("routing.authenticate_open311_client", Unauthorized())

    response = client.post("/open311/v2/requests.xml", data=FORM)

    assert response.status_code == 403 and response.mimetype == "text/xml"
    root = ElementTree.fromstring(response.data)
    assert root.tag == "errors" and root.find("error/code").text == "403"
    assert calls_of(rpc, "submit_application") == []


def test_intakes_refusals_are_400_naming_the_open311_parameters(client, rpc):
    rpc.answer("intake.submit_application", ValidationFailed({
        "applicant.national_id": "geçersiz T.C. kimlik numarası / invalid national ID number",
        "district": "bu ilde böyle bir ilçe yok / no such district"}))

    response = client.post("/open311/v2/requests.json", data=FORM)

    assert response.status_code == 400
    assert [error["description"].split(":")[0] for error in response.get_json()] == [
        "attribute[national_id]", "attribute[district]"]
    assert all(error["code"] == 400 for error in response.get_json())


def test_a_body_that_is_no_form_is_400_naming_the_body(client, rpc):
    response = client.post("/open311/v2/requests.json", json=FORM)

    assert response.status_code == 400 and response.get_json()[0]["description"].startswith("body:")
    assert rpc.calls == []


def test_a_reused_idempotency_key_keeps_its_409_and_message(client, rpc):
    rpc.answer("intake.submit_application", Conflict("idempotency_key_reused", "Başka istek. / Another request."))

    response = client.post("/open311/v2/requests.json", data=FORM, headers={"Idempotency-Key": "k"})

    assert response.status_code == 409
    assert response.get_json() == [{"code": 409, "description": "Başka istek. / Another request."}]


@pytest.mark.parametrize("failure, status", [(ServiceUnavailable("tracking"), 503), (RpcTimedOut("tracking"), 504)])
def test_services_away_are_503_and_504_with_retry_after_in_the_specifications_shape(client, rpc, failure, status):
    rpc.answer("tracking.list_public_requests", failure)

    response = client.get("/open311/v2/requests.xml?jurisdiction_id=ankara.gov.tr")

    assert response.status_code == status and response.headers["Retry-After"] == "7"
    assert ElementTree.fromstring(response.data).find("error/code").text == str(status)


def test_get_requests_asks_tracking_for_the_jurisdictions_province(client, rpc):
    response = client.get("/open311/v2/requests.json?jurisdiction_id=ankara.gov.tr&service_code=health"
                          "&status=closed")

    assert response.status_code == 200
    [request] = response.get_json()
    assert request["status"] == "closed" and request["service_request_id"] == NUMBER
    [(args, _)] = calls_of(rpc, "list_public_requests")
    assert args[0]["province_code"] == "06" and args[0]["categories"] == ["health"]
    assert args[0]["statuses"] == ["closed"] and args[0]["limit"] == 1000


def test_one_request_by_either_path_and_an_unknown_one_is_404(client, rpc):
    plural = client.get("/open311/v2/requests/{}.json?jurisdiction_id=ankara.gov.tr".format(NUMBER))
    singular = client.get("/open311/v2/request/{}.json?jurisdiction_id=ankara.gov.tr".format(NUMBER))
    assert plural.status_code == singular.status_code == 200 and plural.data == singular.data
    [(args, _)] = calls_of(rpc, "list_public_requests")[:1]
    assert args[0]["application_nos"] == [NUMBER]

    rpc.answer("tracking.list_public_requests", [])
    assert client.get("/open311/v2/requests/{}.json?jurisdiction_id=ankara.gov.tr".format(NUMBER)).status_code == 404
    asked = len(calls_of(rpc, "list_public_requests"))
    assert client.get("/open311/v2/requests/a,b.json?jurisdiction_id=ankara.gov.tr").status_code == 404
    assert client.get("/open311/v2/requests/nonsense.json?jurisdiction_id=ankara.gov.tr").status_code == 404
    assert len(calls_of(rpc, "list_public_requests")) == asked  # no number: nothing to ask tracking


def test_errors_elsewhere_keep_the_apis_own_shape(client):
    response = client.get("/api/v1/admin/open311-clients")

    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"
    assert client.get("/open311/v2/requests.json").get_json() == [
        {"code": 400, "description": "jurisdiction_id: zorunlu alan / required"}]
    assert client.delete("/open311/v2/services.json").status_code == 405
    assert client.delete("/open311/v2/services.json").get_json()[0]["code"] == 405
