"""The same application_received arriving twice (redelivery, a relay re-publishing after a crash)
gives one SMS, one tracking timeline entry and one routing queue entry."""
import time

from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy

from tests.support.processes import wait_until
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
        queue = cluster.routing.list_applications(staff_principal("ankara.router"), {"page_size": 100})
    time.sleep(2)  # a second SMS, if one were owed, would be sent well within this


    assert len(running_system.sms_for(application_no)) == 1
    assert [entry["status"] for entry in view["timeline"]] == ["received"]
    assert [entry["application_no"] for entry in queue["items"]].count(application_no) == 1


def _status(cluster, application_no, tracking_code):
    try:
        return cluster.tracking.get_application_status(application_no, tracking_code)
    except Exception:
        return None

