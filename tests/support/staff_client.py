"""Staff over HTTP, for end-to-end tests: log in once per officer, then act with the token.

``StaffApi(url)`` logs officers in (tokens cached per username) and wraps every staff route;
each call returns the ``requests.Response`` so tests can assert the status themselves.
``citizen_application(api, ...)`` makes an application in a known state (received, routed,
returned, answered) through the real flow and returns its receipt.
"""
import time

import requests

from tests.support.processes import wait_until
from tests.support.samples import PASSWORD, application_body

TIMEOUT = 15


class StaffApi:
    def __init__(self, url):
        self.url = url
        self._tokens = {}

    # --- authentication -------------------------------------------------------------------------

    def login(self, username, password=PASSWORD):
        return requests.post(self.url + "/api/v1/auth/token", json={"username": username, "password": password},
                             timeout=TIMEOUT)

    def token(self, username):
        """The officer's bearer token (one login per officer per session of this object)."""
        if username not in self._tokens:
            response = self.login(username)
            assert response.status_code == 200, response.text
            self._tokens[username] = response.json()["access_token"]
        return self._tokens[username]

    def headers(self, username):
        """Authorization headers for ``username``; ``None`` gives no header at all."""
        return {} if username is None else {"Authorization": "Bearer " + self.token(username)}

    # --- raw calls ------------------------------------------------------------------------------

    def request(self, method, path, who, json=None, params=None, headers=None):
        all_headers = dict(self.headers(who) if isinstance(who, str) or who is None else who)
        all_headers.update(headers or {})
        return requests.request(method, self.url + path, json=json, params=params, headers=all_headers,
                                timeout=TIMEOUT)

    # --- the staff routes -----------------------------------------------------------------------

    def desk_submit(self, who, body, headers=None):
        return self.request("POST", "/api/v1/desk/applications", who, json=body, headers=headers)

    def queue(self, who, **params):
        return self.request("GET", "/api/v1/staff/applications", who, params=params)

    def record(self, who, application_no, **params):
        return self.request("GET", "/api/v1/staff/applications/" + application_no, who, params=params)

    def route(self, who, application_no, unit_id, **extra):
        return self.request("POST", "/api/v1/staff/applications/{}/route".format(application_no), who,
                            json=dict(extra, unit_id=unit_id))

    def contact(self, who, application_no, channel="phone", note="Başvuru sahibi telefonla arandı."):
        return self.request("POST", "/api/v1/staff/applications/{}/contacts".format(application_no), who,
                            json={"channel": channel, "note": note})

    def return_(self, who, application_no, reason="Bu başvuru birimimizin görev alanında değil."):
        return self.request("POST", "/api/v1/staff/applications/{}/return".format(application_no), who,
                            json={"reason": reason})

    def answer(self, who, application_no, text="Başvurunuz incelendi ve gereği yapıldı.", outcome="positive"):
        return self.request("POST", "/api/v1/staff/applications/{}/answer".format(application_no), who,
                            json={"text": text, "outcome": outcome})

    def units(self, who, **params):
        return self.request("GET", "/api/v1/units", who, params=params)

    # --- waiting for the queue ------------------------------------------------------------------

    def wait_in_queue(self, who, application_no, timeout=10, **params):
        """The queue entry of ``application_no`` once routing has it (it arrives by event)."""
        def entry():
            response = self.queue(who, page_size=100, **params)
            assert response.status_code == 200, response.text
            return next((item for item in response.json()["items"] if item["application_no"] == application_no),
                        None)

        return wait_until(entry, timeout, interval=0.1, what="{} in {}'s queue".format(application_no, who))

    def wait_visible(self, who, application_no, timeout=10):
        """The staff record once routing has the application (status 200)."""
        def found():
            response = self.record(who, application_no)
            return response if response.status_code == 200 else None

        return wait_until(found, timeout, interval=0.1, what="{} visible to {}".format(application_no, who)).json()


ANKARA_HEALTH = dict(province="ankara", district="çankaya", category="health", kind="request",
                     subject="Sağlık ocağı randevusu",
                     description="Çankaya'daki sağlık ocağından iki haftadır randevu alamıyorum, yardım rica ederim.")


def ankara_health_body(**overrides):
    """A valid citizen body for Ankara/Çankaya, category health (suggested: 06-cankaya-health)."""
    return application_body(**dict(ANKARA_HEALTH, **overrides))


def submit(url, body):
    response = requests.post(url + "/api/v1/applications", json=body, timeout=TIMEOUT)
    assert response.status_code == 201, response.text
    return response.json()


def received_application(staff, body=None):
    """A citizen's Ankara application that routing has queued (``unrouted``)."""
    receipt = submit(staff.url, body or ankara_health_body())
    staff.wait_visible("ankara.router", receipt["application_no"])
    return receipt


def routed_application(staff, unit_id="06-cankaya-health", body=None):
    receipt = received_application(staff, body)
    response = staff.route("ankara.router", receipt["application_no"], unit_id)
    assert response.status_code == 200, response.text
    return receipt


def returned_application(staff):
    receipt = routed_application(staff, "06-national_education")
    response = staff.return_("ankara.education", receipt["application_no"])
    assert response.status_code == 200, response.text
    return receipt


def answered_application(staff):
    receipt = routed_application(staff)
    response = staff.answer("ankara.health", receipt["application_no"])
    assert response.status_code == 200, response.text
    return receipt


def settle(seconds):
    """Waits a fixed time on purpose (to show that nothing more arrives)."""
    time.sleep(seconds)
