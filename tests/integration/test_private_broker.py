"""The private RabbitMQ node fault tests stop and restart: what a durable queue holds survives
a restart, and the shared broker never notices any of it."""
import time
import uuid

import pytest
from kombu import Connection, Queue

from common import config
from tests.support.private_broker import broker_or_skip

pytestmark = pytest.mark.broker  # the shared broker is checked at the end


@pytest.fixture
def broker(tmp_path):
    with broker_or_skip(tmp_path / "rabbitmq") as broker:
        yield broker


def publish(uri, queue, body, persistent):
    # confirm_publish: publish() returns only once the broker has taken the message.
    with Connection(uri, transport_options={"confirm_publish": True}) as connection:
        connection.Producer().publish(body, routing_key=queue.name, declare=[queue],
                                      delivery_mode=2 if persistent else 1, serializer="json", retry=False)


def drain(uri, queue):
    with Connection(uri) as connection:
        bound = queue(connection.default_channel)
        bodies = []
        while (message := bound.get(no_ack=True)) is not None:
            bodies.append(message.payload)
        return bodies


def test_a_persistent_message_survives_a_restart_and_the_shared_broker_is_untouched(broker):
    queue = Queue("private-" + uuid.uuid4().hex, durable=True, auto_delete=False)
    publish(broker.amqp_uri, queue, {"kept": 1}, persistent=True)
    # A transient message is dropped by a restart: proof that the node really went down.
    publish(broker.amqp_uri, queue, {"kept": 0}, persistent=False)

    started = time.monotonic()
    broker.restart()
    print("private broker restart: {:.1f}s".format(time.monotonic() - started))

    assert drain(broker.amqp_uri, queue) == [{"kept": 1}]
    broker.stop()
    assert not broker.is_up()
    with Connection(config.amqp_uri(), connect_timeout=5) as shared:
        shared.connect()
        assert shared.connected


def test_a_confirmed_persistent_message_survives_a_kill(broker):
    queue = Queue("private-" + uuid.uuid4().hex, durable=True, auto_delete=False)
    # As the services' queues are, the queue is declared well before the message: the node writes
    # a new queue's definition to its metadata log a moment after answering the declare, and a kill
    # within that moment loses the queue itself (seen once under load), which is not what this tests.
    with Connection(broker.amqp_uri) as connection:
        queue(connection.default_channel).declare()
    time.sleep(2)
    publish(broker.amqp_uri, queue, {"confirmed": True}, persistent=True)

    broker.kill()  # no clean shutdown: the confirm alone promised the message was on disk
    assert not broker.is_up()
    broker.start()

    assert drain(broker.amqp_uri, queue) == [{"confirmed": True}]
