"""Bad input never gives a 5xx (issue 16): the one rule for text the gateway reads (lone
surrogates and NUL refused by name, in JSON bodies, query strings and forms), answers that are
well-formed JSON and XML whatever they echo, every werkzeug HTTP error with its own status,
chunked bodies held to MAX_BODY_BYTES, dates from outside range-checked, gunicorn's own answers."""
import io
import json

import pytest
from defusedxml import ElementTree
from flask import abort
from werkzeug import exceptions as http

from common.errors import ValidationFailed
from common.fields import (
    UNREADABLE_TEXT,
    YEAR_OUT_OF_RANGE,
    Field,
    absent_allowed,
    body_schema,
    echoable,
    is_unreadable,
    unreadable_paths,
)
from contracts.tracking.requests import public_requests_query
from gateway import errors, server_answers
from gateway.open311 import mapping
from services.intake.domain import fingerprint
from tests.support.fake_rpc import FakeRpcPool
from tests.support.samples import application_body
from tests.unit.gateway.test_gateway import RECEIPT, build_app
from tests.unit.gateway.test_gateway_staff import PRINCIPALS, app, client, staff_app  # noqa: F401  (app, client: fixtures over this module's rpc)
from tests.unit.gateway.test_open311_routes import CLIENT, FORM

SURROGATE = "\ud800"


@pytest.fixture
def rpc():
    return FakeRpcPool(**{"intake.submit_application": RECEIPT, "routing.authenticate": PRINCIPALS["admin"],
                          "routing.create_staff": {"username": "x"}, "routing.update_staff": {"username": "x"},
                          "routing.route_application": {}, "routing.authenticate_open311_client": CLIENT,
                          "intake.get_catalog": {"kinds": [], "categories": [], "provinces": []}})


def admin(app):
    return {"Authorization": "Bearer " + app.extensions["token_signer"].issue(PRINCIPALS["admin"])}


def desk(app):
    return {"Authorization": "Bearer " + app.extensions["token_signer"].issue(PRINCIPALS["desk"])}


def raw_json(text):
    """A JSON body exactly as written (``json=`` would refuse to encode a lone surrogate)."""
    return {"data": text.encode("utf-8"), "content_type": "application/json"}


def strict_json(response):
    """The body as a strict client reads it: UTF-8 that decodes, JSON that parses."""
    return json.loads(response.get_data().decode("utf-8"))


# --- the rule --------------------------------------------------------------------------------

@pytest.mark.parametrize("value,unreadable", [
    ("Ayşe", False), ("", False), ("\u202eRTL", False), ("e\u0301", False), ("😀", False),
    (SURROGATE, True), ("a\udfffb", True), ("a\x00b", True), ("\x01", False),
])
def test_only_lone_surrogates_and_nul_are_unreadable(value, unreadable):
    assert is_unreadable(value) is unreadable


def test_unreadable_paths_name_every_key_and_string_by_its_json_path():
    document = json.loads('{"applicant": {"first_name": "\\ud800", "k\\u0000": "x"}, "tags": ["a", "\\udc00"],'
                          ' "ok": "Ayşe", "n": 1}')

    assert unreadable_paths(document) == {"applicant.first_name": UNREADABLE_TEXT,
                                          "applicant.k\\u0000": UNREADABLE_TEXT, "tags[1]": UNREADABLE_TEXT}
    assert unreadable_paths(json.loads('"\\ud800"')) == {"body": UNREADABLE_TEXT}
    assert unreadable_paths(json.loads("[" * 900 + "]" * 900)) == {}  # any depth json.loads takes


def test_echoable_escapes_what_json_or_xml_cannot_carry_and_leaves_the_rest():
    assert echoable("Ayşe \u202e e\u0301\t") == "Ayşe \u202e e\u0301\t"
    assert echoable("a" + SURROGATE + "\x00\x1f\ufffe") == "a\\ud800\\u0000\\u001f\\ufffe"


def test_an_optional_field_is_published_as_read_null_and_blank_mean_not_given():
    schema = body_schema({"district": Field(lambda value: value, required=False), "name": Field(required=True)})

    assert schema["properties"]["district"]["anyOf"][1:] == [{"type": "null"}, {"type": "string", "pattern": "^\\s*$"}]
    assert "anyOf" not in schema["properties"]["name"]
    assert body_schema({"a": Field()}, absent_when_blank=False)["properties"]["a"] == {}
    assert absent_allowed({"type": "integer", "description": "d"}, nullable=False) == {
        "description": "d", "anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^\\s*$"}]}


# --- JSON bodies: 422 naming the path, before any view, rate limit or service ----------------

def test_a_lone_surrogate_in_a_submission_is_422_naming_the_field_and_reaches_no_service(client, rpc):
    body = json.dumps(application_body()).replace('"Ay\\u015fe"', '"\\ud800"')

    response = client.post("/api/v1/applications", **raw_json(body))

    assert response.status_code == 422
    assert strict_json(response)["error"]["fields"] == {"applicant.first_name": UNREADABLE_TEXT}
    assert rpc.calls == []


@pytest.mark.parametrize("method,path,who,body", [
    ("POST", "/api/v1/auth/token", None, '{"username": "a\\ud800", "password": "x"}'),
    ("POST", "/api/v1/desk/applications", desk, '{"applicant": {"first_name": "\\udfff"}}'),
    ("POST", "/api/v1/admin/users", admin, '{"username": "\\ud83d", "password": "p"}'),
    ("PATCH", "/api/v1/admin/users/ankara.desk", admin, '{"password": "\\ud800\\u0000"}'),
    ("POST", "/api/v1/staff/applications/2026-000001/route", admin, '{"\\ud800": 1}'),
    ("POST", "/api/v1/admin/units", admin, '{"nu\\u0000ll": "x"}'),
    ("POST", "/api/v1/applications", None, '"\\ud800"'),
])
def test_unreadable_text_in_any_json_body_is_422_in_well_formed_json(app, client, rpc, method, path, who, body):
    response = client.open(path, method=method, headers=who(app) if who else {}, **raw_json(body))

    assert response.status_code == 422, response.data
    assert set(strict_json(response)["error"]["fields"].values()) == {UNREADABLE_TEXT}
    assert [call for call in rpc.calls if call[1] != "get_token_generation"] == []


def test_a_service_refusing_keys_it_cannot_spell_is_answered_in_well_formed_json(client, rpc):
    rpc.answer("intake.submit_application", ValidationFailed({"odd" + SURROGATE + "\x00": "bilinmeyen alan"}))

    response = client.post("/api/v1/applications", json=application_body())

    assert response.status_code == 422
    assert strict_json(response)["error"]["fields"] == {"odd\\ud800\\u0000": "bilinmeyen alan"}


# --- query strings and forms ----------------------------------------------------------------

@pytest.mark.parametrize("query,name", [
    ("tracking_code=AB%00CD", "tracking_code"), ("tracking_code=%ff", "tracking_code"),
    ("tracking_code=%ed%a0%80", "tracking_code"), ("a%00b=1&tracking_code=X", "a\\u0000b"),
])
def test_an_unreadable_query_parameter_is_422_naming_it(client, rpc, query, name):
    response = client.get("/api/v1/applications/2026-000001?" + query)

    assert response.status_code == 422
    assert strict_json(response)["error"]["fields"] == {name: response.get_json()["error"]["fields"][name]}
    assert rpc.calls == []


def test_readable_query_text_is_left_to_the_route(client, rpc):
    rpc.answer("tracking.get_application_status", {"application_no": "2026-000001"})
    response = client.get("/api/v1/applications/2026-000001?tracking_code=%E2%80%AEK7M2")
    assert response.status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_errors_echoing_control_characters_are_well_formed(client, fmt):
    form = dict(FORM, **{"odd\x01\x1b[name": "x"})

    response = client.post("/open311/v2/requests." + fmt, data=form)

    assert response.status_code == 400
    text = response.get_data().decode("utf-8")
    if fmt == "xml":
        [error] = ElementTree.fromstring(response.get_data()).findall("error")
        assert error.findtext("description").startswith("odd\\u0001\\u001b[name: ")
    else:
        assert json.loads(text)[0]["description"].startswith("odd\\u0001\\u001b[name: ")


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data"])
def test_nul_in_an_open311_form_is_400_naming_the_parameter(client, content_type):
    response = client.post("/open311/v2/requests.xml", data=dict(FORM, description="a\x00b"),
                           content_type=content_type)

    assert response.status_code == 400
    assert ElementTree.fromstring(response.get_data()).findtext("error/description") == (
        "description: " + UNREADABLE_TEXT)


# --- dates and numbers from outside ---------------------------------------------------------

@pytest.mark.parametrize("args,name", [
    ({"start_date": "9999-12-31T00:00:00Z"}, "start_date"), ({"end_date": "0001-01-01T00:00:00Z"}, "end_date"),
    ({"end_date": "9999-12-31T23:59:59-12:00"}, "end_date"), ({"start_date": "1999-12-31T23:59:59Z"}, "start_date"),
])
def test_open311_dates_outside_the_years_are_refused_by_name(args, name):
    with pytest.raises(ValidationFailed) as refused:
        mapping.requests_query(args, mapping.province_of("ankara.gov.tr"), set(), mapping.clock.now())

    assert refused.value.fields == {name: YEAR_OUT_OF_RANGE}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_extreme_dates_are_400_not_500(client, fmt):
    for query in ("start_date=9999-12-31T00:00:00Z", "end_date=0001-01-01T00:00:00Z"):
        response = client.get("/open311/v2/requests.{}?jurisdiction_id=ankara.gov.tr&{}".format(fmt, query))
        assert response.status_code == 400, response.data


def test_tracking_refuses_public_request_periods_outside_the_years():
    with pytest.raises(ValidationFailed) as refused:
        public_requests_query({"province_code": "06", "start": "9999-12-31T00:00:00+00:00",
                               "end": "0001-01-01T00:00:00+00:00"})
    assert set(refused.value.fields) == {"start", "end"}


# --- every werkzeug HTTP error keeps its status ----------------------------------------------

ERROR_CODES = sorted(code for code in http.default_exceptions if code >= 400)


def test_every_werkzeug_http_error_is_answered_with_its_own_status_in_the_one_shape():
    app = build_app(FakeRpcPool(), FakeRpcPool())
    app.add_url_rule("/raise/<int:code>", "raise", lambda code: abort(code))
    client = app.test_client()
    for code in ERROR_CODES:
        response = client.get("/raise/{}".format(code))
        assert response.status_code == code, code
        error = strict_json(response)["error"]
        assert error["code"] and " / " in error["message"], code
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/web/common/api.js", "/takip"])
def test_a_range_past_the_end_of_a_file_or_page_is_416_with_its_content_range(client, path):
    response = client.get(path, headers={"Range": "bytes=999999-"})

    assert response.status_code == 416
    assert strict_json(response)["error"]["code"] == "range_not_satisfiable"
    assert response.headers["Content-Range"].startswith("bytes */")


# --- chunked bodies ---------------------------------------------------------------------------

def chunked(client, body):
    """A body as gunicorn hands a chunked one to the app: no Content-Length, the stream terminated."""
    return client.post("/api/v1/applications", input_stream=io.BytesIO(body),
                       headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
                       environ_overrides={"wsgi.input_terminated": True})


def test_a_chunked_body_over_the_limit_is_413_like_one_with_a_length(client, rpc):
    body = json.dumps(application_body(description="x" * 5000)).encode()
    assert len(body) > 4096  # tests.unit.gateway.test_gateway's MAX_BODY_BYTES

    response = chunked(client, body)

    assert response.status_code == 413
    assert rpc.calls == []


def test_a_chunked_body_within_the_limit_is_read_whole(client, rpc):
    response = chunked(client, json.dumps(application_body()).encode())

    assert response.status_code == 201
    assert rpc.calls[0][2][0] == application_body()


# --- intake takes any body -------------------------------------------------------------------

def test_intake_fingerprints_any_body_and_valid_ones_as_before():
    before_issue_16 = "694fbf349fcc432eb7c0358c7203e739e0ae9ec6584c623dd6d15c80f8c4072b"
    assert fingerprint({"a": "Ayşe", "b": [1]}) == before_issue_16
    assert len(fingerprint({"a": SURROGATE})) == 64


# --- gunicorn's own answers ------------------------------------------------------------------

@pytest.mark.parametrize("status,code", [(400, "malformed_request"), (414, "uri_too_long"),
                                         (431, "headers_too_large"), (501, "not_implemented"),
                                         (500, "internal_error")])
def test_gunicorns_refusals_come_from_the_one_table_with_the_security_headers(status, code):
    status_line, headers, body = server_answers.error_answer(status)

    assert status_line.startswith(str(status) + " ")
    assert json.loads(body) == {"error": {"code": code, "message": errors.answer_for(
        server_answers.GUNICORN_REFUSALS[status]()).message}}
    assert headers["X-Frame-Options"] == "DENY" and headers["Cache-Control"] == "no-store"
    assert headers["Content-Length"] == str(len(body)) and "X-Request-ID" in headers


def test_gunicorns_response_sends_no_server_header():
    class Request:
        version, method = (1, 1), "GET"

        def should_close(self):
            return False

    response = server_answers.QuietResponse(Request(), None, None)
    response.status, response.status_code = "200 OK", 200

    assert not any(line.lower().startswith("server:") for line in response.default_headers())


def test_the_published_year_window_is_the_one_checked():
    from common.fields import FIRST_YEAR, LAST_YEAR
    from gateway.openapi import W3C_TIME

    assert (FIRST_YEAR, LAST_YEAR) == (2000, 2099) and W3C_TIME["pattern"] == "^20[0-9]{2}-"


def test_an_open311_post_without_service_code_is_refused_not_given_a_default(client):
    response = client.post("/open311/v2/requests.json", data=dict(FORM, service_code=" "))

    assert response.status_code == 400
    assert response.get_json()[0]["description"].startswith("service_code: ")


@pytest.mark.parametrize("value", ["²", "1" * 5000, "٣"])
def test_iletimerkezi_numbers_are_ascii_digits_of_bounded_length(value):
    from services.notification.providers.iletimerkezi import _number

    assert _number(value) is None


def test_verimor_timestamps_outside_the_years_are_not_read():
    from services.notification.providers.verimor import _timestamp

    assert _timestamp("9999-12-31T23:59:59-05:00") is None
    assert _timestamp("2026-11-28 10:15:00").year == 2026
