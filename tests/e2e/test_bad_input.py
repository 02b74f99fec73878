"""Whatever a client sends wrong, the answer is a 4xx naming the problem, never a 500."""
import copy
import json

import pytest
import requests

from tests.e2e.conftest import application_body
from tests.support.processes import wait_until
from tests.support.samples import MISSING, body_with

_MISSING = MISSING

INVALID_FIELDS = [
    ("applicant.national_id", "12345678901"),
    ("applicant.national_id", "10000000147"),
    ("applicant.national_id", _MISSING),
    ("applicant.phone", "0212 123 45 67"),
    ("applicant.phone", "+44 7911 123456"),
    ("applicant.phone", "05321"),
    ("applicant.first_name", "A"),
    ("applicant.first_name", "Ayşe2"),
    ("applicant.last_name", "x" * 51),
    ("applicant.email", "not-an-email"),
    ("applicant.status", "received"),
    ("province", "Atlantis"),
    ("province", "82"),
    ("district", "Çankaya"),
    ("kind", "praise"),
    ("category", "astrology"),
    ("subject", "kısa"),
    ("description", "çok kısa"),
    ("description", "x" * 5001),
    ("channel", "desk"),
    ("channel", "fax"),
    ("language", "de"),
    ("status", "answered"),
    ("application_no", "2026-000001"),
    ("unit", "İl Milli Eğitim Müdürlüğü"),
    ("favourite_colour", "mavi"),
    ("subject", 12345),
    ("applicant", ["not", "an", "object"]),
]


@pytest.mark.parametrize("path,value", INVALID_FIELDS,
                         ids=["{}={}".format(p, "missing" if v is _MISSING else str(v)[:12])
                              for p, v in INVALID_FIELDS])
def test_each_invalid_field_is_named_in_a_422(api, path, value):
    response = api.submit(body_with(path, value))

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert path in error["fields"], error["fields"]


def test_all_problems_are_reported_at_once_without_echoing_personal_data(api):
    body = copy.deepcopy(application_body())
    body["applicant"]["national_id"] = "12345678901"
    body["applicant"]["phone"] = "0212 123 45 67"
    body["province"] = "Atlantis"

    response = api.submit(body)

    assert response.status_code == 422
    assert {"applicant.national_id", "applicant.phone", "province"} <= set(response.json()["error"]["fields"])
    assert "12345678901" not in response.text and "123 45 67" not in response.text


@pytest.mark.parametrize("raw", [b"{", b"{'single': 'quotes'}", b'{"subject": NaN}', b"\xff\xfe"])
def test_malformed_json_is_400(api, raw):
    response = requests.post(api.url + "/api/v1/applications", data=raw,
                             headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_request"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_wrong_content_type_is_415(api, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = requests.post(api.url + "/api/v1/applications", data=json.dumps(application_body()).encode(),
                             headers=headers, timeout=10)
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_oversize_body_is_413(api):
    body = application_body(description="x" * (70 * 1024))
    response = api.submit(body)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize("document", [[], "text", 42, None, {"applicant": None}])
def test_a_body_that_is_not_an_application_is_422(api, document):
    response = requests.post(api.url + "/api/v1/applications", data=json.dumps(document),
                             headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 422


def test_tracking_without_a_code_names_the_parameter(api):
    response = requests.get(api.url + "/api/v1/applications/2026-000001", timeout=10)
    assert response.status_code == 422
    assert "tracking_code" in response.json()["error"]["fields"]


# --- issue 16: what the review's probes found, against the real gunicorn and services ---------

import http.client  # noqa: E402
import socket  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

from defusedxml import ElementTree  # noqa: E402

from common.fields import UNREADABLE_TEXT, YEAR_OUT_OF_RANGE  # noqa: E402

SECURITY_HEADERS = ("X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "Referrer-Policy",
                    "Cache-Control", "X-Request-ID")


def strict_json(response):
    """The answer as a strict client reads it: UTF-8 that decodes, JSON that parses."""
    return json.loads(response.content.decode("utf-8"))


def post_raw(url, text, headers=None):
    """``text`` sent as written: ``json=`` cannot send the lone surrogate ``"\\ud800"`` escapes."""
    return requests.post(url, data=text.encode("utf-8"), timeout=15,
                         headers=dict(headers or {}, **{"Content-Type": "application/json"}))


def test_a_lone_surrogate_in_a_submission_is_422_naming_it_and_no_application_is_made(api):
    body = json.dumps(application_body()).replace('"first_name": "Ay\\u015fe"', '"first_name": "\\ud800"')
    assert "\\ud800" in body

    response = post_raw(api.url + "/api/v1/applications", body, {"Idempotency-Key": "surrogate-1"})

    assert response.status_code == 422
    assert strict_json(response)["error"]["fields"] == {"applicant.first_name": UNREADABLE_TEXT}
    retried = api.submit(application_body(), headers={"Idempotency-Key": "surrogate-1"})
    assert retried.status_code == 201  # the refused body left nothing behind under its key


@pytest.mark.parametrize("method,path,who,text", [
    ("POST", "/api/v1/auth/token", None, '{"username": "ankara.admin\\ud800", "password": "x"}'),
    ("POST", "/api/v1/desk/applications", "ankara.desk", '{"channel": "desk\\udfff"}'),
    ("POST", "/api/v1/admin/users", "ankara.admin", '{"username": "yeni\\ud800", "password": "p", "role": "desk"}'),
    ("PATCH", "/api/v1/admin/users/ankara.desk", "ankara.admin", '{"password": "\\ud800\\u0000aaaaaaaaaaaa"}'),
    ("POST", "/api/v1/admin/units", "ankara.admin", '{"name": "Birim", "\\ud800": "x"}'),
    ("POST", "/api/v1/staff/applications/2026-000001/route", "ankara.router", '{"unit_id\\u0000": "x"}'),
])
def test_unreadable_text_in_any_staff_body_is_422_not_500(running_system, staff, method, path, who, text):
    headers = dict(staff.headers(who) if who else {}, **{"Content-Type": "application/json"})

    response = requests.request(method, running_system.url + path, data=text.encode("utf-8"),
                                headers=headers, timeout=15)

    assert response.status_code == 422, response.text
    assert set(strict_json(response)["error"]["fields"].values()) == {UNREADABLE_TEXT}


@pytest.mark.parametrize("query", ["tracking_code=%00", "tracking_code=%ff", "tracking_code=%ed%a0%80"])
def test_an_unreadable_query_parameter_is_422_naming_it(api, query):
    response = requests.get(api.url + "/api/v1/applications/2026-000001?" + query, timeout=15)

    assert response.status_code == 422
    assert list(strict_json(response)["error"]["fields"]) == ["tracking_code"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("name,value", [("start_date", "9999-12-31T00:00:00Z"), ("end_date", "0001-01-01T00:00:00Z")])
def test_open311_extreme_dates_are_400_naming_the_parameter(api, fmt, name, value):
    response = requests.get("{}/open311/v2/requests.{}".format(api.url, fmt), timeout=15,
                            params={"jurisdiction_id": "ankara.gov.tr", name: value})

    assert response.status_code == 400
    expected = "{}: {}".format(name, YEAR_OUT_OF_RANGE)
    if fmt == "xml":
        assert ElementTree.fromstring(response.content).findtext("error/description") == expected
    else:
        assert strict_json(response) == [{"code": 400, "description": expected}]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_errors_echoing_control_characters_are_well_formed(api, fmt):
    form = "api_key=x&odd%01%1b%0b%ef%bf%bename=1&jurisdiction_id=ankara.gov.tr"

    response = requests.post("{}/open311/v2/requests.{}".format(api.url, fmt), data=form, timeout=15,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})

    assert response.status_code in (400, 403)
    if fmt == "xml":
        ElementTree.fromstring(response.content)  # raises if not well-formed
    else:
        strict_json(response)


@pytest.mark.parametrize("path", ["/web/common/api.js", "/takip", "/api/v1/openapi.json"])
def test_a_range_past_the_end_is_416_not_500(api, path):
    response = requests.get(api.url + path, headers={"Range": "bytes=999999-"}, timeout=15)

    assert response.status_code in (200, 416)  # a dynamic answer may ignore Range; never a 5xx
    if response.status_code == 416:
        assert strict_json(response)["error"]["code"] == "range_not_satisfiable"
        assert response.headers["Content-Range"].startswith("bytes */")
    assert path == "/api/v1/openapi.json" or response.status_code == 416


def _chunked_post(url, body, chunk_size=1000):
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    try:
        connection.request("POST", parts.path, body=(body[i:i + chunk_size] for i in range(0, len(body), chunk_size)),
                           headers={"Content-Type": "application/json"}, encode_chunked=True)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_a_chunked_body_over_max_body_bytes_is_413_like_one_with_a_length(api):
    body = json.dumps(application_body(description="x" * (100 * 1024))).encode("utf-8")

    status, answer = _chunked_post(api.url + "/api/v1/applications", body)

    assert status == 413
    assert json.loads(answer)["error"]["code"] == "payload_too_large"


def test_a_chunked_body_within_the_limit_is_read_whole(api):
    status, answer = _chunked_post(api.url + "/api/v1/applications", json.dumps(application_body()).encode("utf-8"))

    assert status == 201, answer
    receipt = json.loads(answer)
    # tracking's view follows intake's event a moment later (docs/api.md, Track)
    wait_until(lambda: api.track(receipt["application_no"], receipt["tracking_code"]).status_code == 200,
               timeout=10, what="the application tracked")


def _raw(url, request_bytes):
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request_bytes)
        received = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return received
            received += chunk


@pytest.mark.parametrize("request_bytes,status", [
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(150)) + b"\r\n", 431),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"y" * 9000 + b"\r\n\r\n", 431),
    (b"BLAH\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Nul: a\x00b\r\n\r\n", 400),
], ids=["request-line-too-long", "too-many-headers", "header-too-large", "malformed-request-line", "nul-in-header"])
def test_gunicorns_own_refusals_carry_the_security_headers_and_no_server(api, request_bytes, status):
    head, _, body = _raw(api.url, request_bytes).partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value for name, _, value in (line.partition(": ") for line in lines)}

    assert status_line.split(" ")[1] == str(status), head
    assert "server" not in headers
    assert all(name.lower() in headers for name in SECURITY_HEADERS), headers
    assert set(json.loads(body)["error"]) == {"code", "message"}


def test_no_answer_names_the_server(api):
    for response in (requests.get(api.url + "/healthz", timeout=15), requests.get(api.url + "/nowhere", timeout=15),
                     api.submit(application_body(subject=""))):
        assert "Server" not in response.headers
