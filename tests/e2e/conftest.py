"""End-to-end: HTTP against the running system (real processes, real RabbitMQ)."""
import uuid

import pytest
import requests


def application_body(**overrides):
    body = {
        "applicant": {
            "national_id": "10000000146",
            "first_name": "Ayşe",
            "last_name": "Yılmaz",
            "phone": "0532 123 45 67",
        },
        "kind": "complaint",
        "category": "transport",
        "province": "istanbul",
        "district": "kadıköy",
        "subject": "Yoldaki çukur",
        "description": "Sokağımızdaki yolda iki haftadır büyük bir çukur var, araçlar zarar görüyor.",
        "channel": "web",
    }
    body.update(overrides)
    return body


@pytest.fixture
def api(running_system):
    class Api:
        url = running_system.url

        def submit(self, body, headers=None):
            return requests.post(self.url + "/api/v1/applications", json=body, headers=headers, timeout=15)

        def track(self, application_no, tracking_code, **params):
            return requests.get("{}/api/v1/applications/{}".format(self.url, application_no),
                                params=dict(params, tracking_code=tracking_code), timeout=15)

    return Api()


@pytest.fixture
def idempotency_key():
    return uuid.uuid4().hex
