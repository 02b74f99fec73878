"""Tracking's part of incidents (issue 23): the applicant learns how many applications on the same
matter theirs was considered with — never which, never whose — from routing's incident_changed,
whatever order its versions arrive in."""
import pytest
from nameko.testing.services import worker_factory

from contracts.events import new_event
from services.tracking.service import TrackingService
from tests.support.fake_relay import FakeRelay

CODE = "K7M2PQ9X"


@pytest.fixture
def tracking(store):
    return worker_factory(TrackingService, applications=store, publish_owed_events=FakeRelay())


def changed(version, *numbers):
    return new_event("incident_changed", None, incident_id="5d8e89124ddd482baea0899ed704a33e",
                     application_nos=list(numbers), version=version)


def test_the_view_says_how_many_others_and_nothing_of_them(tracking, received_event):
    tracking.handle_application_received(received_event("2026-000001", tracking_code=CODE))

    tracking.handle_incident_changed(changed(1, "2026-000001", "2026-000002", "2026-000003"))

    view = tracking.get_application_status("2026-000001", CODE)
    assert view["considered_with"] == {
        "count": 2, "text": "Bu başvuru, aynı konudaki 2 başvuruyla birlikte değerlendirildi."}
    assert "2026-000002" not in str(view)
    english = tracking.get_application_status("2026-000001", CODE, language="en")
    assert english["considered_with"]["text"] == ("This application was considered together with 2 others on the "
                                                  "same matter.")


def test_an_older_version_arriving_late_changes_nothing(tracking, received_event):
    tracking.handle_application_received(received_event("2026-000001", tracking_code=CODE))

    tracking.handle_incident_changed(changed(2, "2026-000001", "2026-000002", "2026-000003"))
    tracking.handle_incident_changed(changed(1, "2026-000001", "2026-000002"))

    assert tracking.get_application_status("2026-000001", CODE)["considered_with"]["count"] == 2


def test_alone_in_an_incident_or_in_none_says_nothing(tracking, received_event):
    tracking.handle_application_received(received_event("2026-000001", tracking_code=CODE))
    tracking.handle_application_received(received_event("2026-000002", tracking_code=CODE))

    tracking.handle_incident_changed(changed(1, "2026-000001"))

    assert "considered_with" not in tracking.get_application_status("2026-000001", CODE)
    assert "considered_with" not in tracking.get_application_status("2026-000002", CODE)
