"""RPC replies on the connection a service keeps (common/reply_publisher.py), against real RabbitMQ:
transient, addressed as asked, and still delivered after the broker restarted under the kept
connection (the first write on a socket the broker closed can succeed and be lost: it must not be
the reply's)."""
import json
import uuid

import pytest
from kombu import Connection, Queue

from common.broker import BROKER_GONE
from common.reply_publisher import KeptReplyPublisher
from tests.support.private_broker import broker_or_skip

pytestmark = pytest.mark.broker


@pytest.fixture
def broker(tmp_path):
    with broker_or_skip(tmp_path / "rabbitmq") as broker:
        yield broker


def reply_queue(uri):
    queue = Queue("replies-" + uuid.uuid4().hex, durable=False, auto_delete=False)
    with Connection(uri) as connection:
        queue(connection.default_channel).declare()
    return queue


def received(uri, queue):
    with Connection(uri) as connection:
        bound = queue(connection.default_channel)
        messages = []
        while (message := bound.get(no_ack=True)) is not None:
            messages.append(message)
        return messages


def send(publisher, queue, number):
    body = json.dumps({"result": number, "error": None}).encode()
    publisher.publish(body, "application/json", "utf-8", "", queue.name, "corr-{}".format(number))


def test_a_reply_is_transient_and_reaches_its_address(amqp_uri):
    queue = reply_queue(amqp_uri)
    publisher = KeptReplyPublisher(amqp_uri)
    try:
        for number in range(3):
            send(publisher, queue, number)
    finally:
        publisher.close()

    messages = received(amqp_uri, queue)
    assert [json.loads(message.body) for message in messages] == [{"result": n, "error": None} for n in range(3)]
    assert [message.properties["correlation_id"] for message in messages] == ["corr-0", "corr-1", "corr-2"]
    assert {message.properties["delivery_mode"] for message in messages} == {1}
    assert {message.content_type for message in messages} == {"application/json"}


def test_replies_after_a_broker_restart_go_out_on_a_new_connection(broker):
    queue = reply_queue(broker.amqp_uri)
    publisher = KeptReplyPublisher(broker.amqp_uri)
    try:
        send(publisher, queue, 1)
        kept = publisher._connection
        broker.restart()
        queue = reply_queue(broker.amqp_uri)  # transient: gone with the restart
        send(publisher, queue, 2)
        send(publisher, queue, 3)
        assert publisher._connection is not kept
    finally:
        publisher.close()

    assert [json.loads(message.body)["result"] for message in received(broker.amqp_uri, queue)] == [2, 3]


def test_with_the_broker_away_a_reply_raises_a_broker_error(broker):
    publisher = KeptReplyPublisher(broker.amqp_uri, connect_timeout=1)
    queue = reply_queue(broker.amqp_uri)
    send(publisher, queue, 1)
    broker.stop()
    try:
        with pytest.raises(BROKER_GONE):
            send(publisher, queue, 2)
    finally:
        publisher.close()
