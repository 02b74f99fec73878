"""QUEUE_TYPE (issue 21): a service declares every queue of the configured type, and one started
against queues of the other type stops at once, naming the queue and the way to migrate
(common/queue_types.py). A real ``nameko run`` on a vhost of the machine's broker."""
import json
import os

from kombu import Connection
from nameko.rpc import get_rpc_exchange

from common import topology
from common.queue_types import declared_queues
from tests.support.broker import queue_types, temporary_vhost
from tests.support.processes import service_process, wait_until


def _consuming(amqp_uri, queue_name):
    with Connection(amqp_uri) as connection:
        try:
            return connection.default_channel.queue_declare(queue_name, passive=True).consumer_count >= 1
        except Exception:
            return False


def _messages(process):
    return [json.loads(line).get("message", "") for line in process.output().splitlines() if line.startswith("{")]


def test_notification_declares_every_queue_it_uses_as_a_quorum_queue(tmp_path):
    with temporary_vhost() as amqp_uri:
        env = dict(os.environ, AMQP_URI=amqp_uri, DATA_DIR=str(tmp_path), QUEUE_TYPE="quorum", METRICS_PORT="0",
                   PYTHONUNBUFFERED="1")
        service = service_process("notification", env, tmp_path)
        try:
            wait_until(lambda: _consuming(amqp_uri, "rpc-notification"), timeout=60, what="notification consuming")
            types = queue_types(amqp_uri)
        finally:
            service.stop()

    expected = {queue.name for queue in declared_queues("notification", get_rpc_exchange({}), "quorum")}
    assert "rpc-notification" in expected and "evt-intake-application_received--notification.retry" in expected
    assert "evt-notification-sms_failed--tracking" in expected  # its relay declares its consumers' queues too
    assert {name: types.get(name) for name in expected} == {name: "quorum" for name in expected}


def test_a_service_meeting_classic_queues_with_quorum_configured_stops_and_says_how_to_migrate(tmp_path):
    with temporary_vhost() as amqp_uri:
        with Connection(amqp_uri) as connection:  # as a classic deployment left it
            topology.handler_queue("intake", "application_received", "tracking", "classic")(
                connection.default_channel).declare()
        env = dict(os.environ, AMQP_URI=amqp_uri, DATA_DIR=str(tmp_path), QUEUE_TYPE="quorum", METRICS_PORT="0",
                   PYTHONUNBUFFERED="1")
        service = service_process("tracking", env, tmp_path)
        try:
            service.popen.wait(timeout=60)
        finally:
            service.stop()
        still_classic = queue_types(amqp_uri)["evt-intake-application_received--tracking"]

    assert service.popen.returncode != 0
    [stopped] = [message for message in _messages(service) if message.startswith("tracking does not start")]
    assert ("queue evt-intake-application_received--tracking is a classic queue on the broker, "
            "but QUEUE_TYPE is quorum") in stopped
    assert "docs/operations.md#changing-the-queue-type" in stopped
    assert still_classic == "classic"  # nothing was changed on the broker's side
