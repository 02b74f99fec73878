"""Consumers that start after events were published still receive them (issue 6, fault test 5):
on a fresh broker, only intake and the gateway run while citizens apply; the other services
start later, never having run before, and every application reaches them."""
import requests
from kombu import Connection

from common import topology
from tests.support.broker import temporary_vhost
from tests.support.processes import RunningSystem, gateway_process, http_ok, wait_until
from tests.support.samples import application_body

LATE = ("routing", "notification", "tracking")


def _waiting(amqp_uri, queue_name):
    with Connection(amqp_uri) as connection:
        try:
            return connection.default_channel.queue_declare(queue_name, passive=True).message_count
        except Exception:  # not declared (yet)
            return 0


def test_services_started_after_the_events_still_receive_them(tmp_path):
    with temporary_vhost() as amqp_uri:
        system = RunningSystem(amqp_uri, tmp_path)
        try:
            system.start_fake()
            system.start_service("intake")
            system.processes["gateway"] = gateway_process(system.env, system.data_dir)
            wait_until(lambda: http_ok(system.url + "/healthz"), timeout=30, what="gateway up")
            receipts = []
            for _ in range(5):
                answer = wait_until(lambda: _created(system.url), timeout=30, what="intake answering")
                receipts.append(answer.json())
            queues = [topology.handler_queue_name("intake", "application_received", consumer) for consumer in LATE]
            wait_until(lambda: all(_waiting(amqp_uri, name) == 5 for name in queues), timeout=15,
                       what="the events waiting in the queues of services that never ran")

            for service in LATE:
                system.start_service(service)
            system.wait_ready()
            for receipt in receipts:
                number = receipt["application_no"]
                (sms,) = wait_until(lambda: system.sms_for(number), timeout=15, what="SMS for " + number)
                view = wait_until(lambda: _tracked(system.url, receipt), timeout=15, what="tracking " + number)
                assert view["status"] == "received"
                assert receipt["tracking_code"] in sms["msg"]
        finally:
            system.stop()


def _created(url):
    answer = requests.post(url + "/api/v1/applications", json=application_body(), timeout=15)
    return answer if answer.status_code == 201 else None


def _tracked(url, receipt):
    answer = requests.get("{}/api/v1/applications/{}".format(url, receipt["application_no"]),
                          params={"tracking_code": receipt["tracking_code"]}, timeout=15)
    return answer.json() if answer.status_code == 200 else None
