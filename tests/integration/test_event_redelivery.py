"""The same event arriving twice (redelivery, a relay re-publishing after a crash): an
application_received gives one SMS, one tracking timeline entry and one routing queue entry; a
tracking_code_requested one reminder SMS."""
import time

from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy

from contracts.events import new_event
from tests.support.processes import sms_text, wait_until
from tests.support.samples import received_event, staff_principal


def test_duplicate_event_is_handled_once(running_system):
    config = {"AMQP_URI": running_system.amqp_uri, "serializer": "json"}
    application_no, tracking_code = "2026-900001", "DUPE2345"
    event = received_event(application_no, tracking_code=tracking_code, province="Ankara",
                           province_code="06", district="Çankaya")
    dispatch = event_dispatcher(config)

    dispatch("intake", "application_received", event)
    dispatch("intake", "application_received", event)

    wait_until(lambda: running_system.sms_for(application_no), timeout=5, what="the SMS")
    with ClusterRpcProxy(config, timeout=10) as cluster:
        view = wait_until(lambda: _status(cluster, application_no, tracking_code), timeout=5, what="tracking")
        # the queue among this number (the session's system holds many newer applications)
        queue = cluster.routing.list_applications(staff_principal("ankara.router"), {"page_size": 100},
                                                  [application_no])
    time.sleep(2)  # a second SMS, if one were owed, would be sent well within this


    assert len(running_system.sms_for(application_no)) == 1
    assert [entry["status"] for entry in view["timeline"]] == ["received"]
    assert [entry["application_no"] for entry in queue["items"]].count(application_no) == 1


def _status(cluster, application_no, tracking_code):
    try:
        return cluster.tracking.get_application_status(application_no, tracking_code)
    except Exception:
        return None



def test_a_redelivered_tracking_code_request_gives_one_reminder(running_system):
    """tracking_code_requested twice (a relay re-publishing after a crash) is one reminder SMS; a
    second request (another requested_at) is its own."""
    config = {"AMQP_URI": running_system.amqp_uri, "serializer": "json"}
    application_no, tracking_code = "2026-900002", "REMI2345"
    dispatch = event_dispatcher(config)
    dispatch("intake", "application_received", received_event(application_no, tracking_code=tracking_code))
    wait_until(lambda: running_system.sms_for(application_no), timeout=5, what="the received SMS")
    request = new_event("tracking_code_requested", application_no, tracking_code=tracking_code,
                        requested_at="2026-03-05T10:00:00.000+03:00")

    dispatch("intake", "tracking_code_requested", request)
    dispatch("intake", "tracking_code_requested", request)

    wait_until(lambda: len(running_system.sms_for(application_no)) >= 2, timeout=5, what="the reminder")
    time.sleep(2)  # a second reminder, if one were owed, would be sent well within this
    assert len(running_system.sms_for(application_no)) == 2
    later = new_event("tracking_code_requested", application_no, tracking_code=tracking_code,
                      requested_at="2026-03-05T11:00:01.000+03:00")
    dispatch("intake", "tracking_code_requested", later)
    wait_until(lambda: len(running_system.sms_for(application_no)) == 3, timeout=5, what="the second reminder")
    assert sum(tracking_code in sms_text(sms) for sms in running_system.sms_for(application_no)) == 3
