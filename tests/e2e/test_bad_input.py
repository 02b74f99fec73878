"""Whatever a client sends wrong, the answer is a 4xx naming the problem, never a 500."""
import copy
import json

import pytest
import requests

from tests.e2e.conftest import application_body
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
                         ids=["{}={}".format(p, "missing" if v is _MISSING else str(v)[:12]) for p, v in INVALID_FIELDS])
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
