"""The operator's view of dead letters: events a handler gave up on (common/handlers.py).

    python -m common.dead_letters list                 # every <queue>.dead with its count
    python -m common.dead_letters show QUEUE [--limit N]   # the parked events, left in place
    python -m common.dead_letters replay QUEUE         # back into QUEUE, attempts counted afresh

QUEUE is the handler's queue name (``evt-intake-application_received--routing``, see
common/topology.py). Shown events can carry a phone number (application_received does): the
output masks it. An event that was never valid JSON is shown as its raw text and replayed byte
for byte. The queue names come from the event catalogue: no management plugin is needed.
"""
import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from kombu import Connection

from common import config, topology
from common.handlers import ATTEMPT_HEADER, as_sent
from common.logs import mask_personal_data


def readable(message: Any) -> Any:
    """The parked event, or its raw text if it is not valid JSON (never unpickled or evaluated)."""
    text = message.body.decode("utf-8", errors="replace") if isinstance(message.body, bytes) else message.body
    try:
        return json.loads(text) if message.content_type == "application/json" else text
    except ValueError:
        return text


def dead_count(connection: Any, queue_name: str) -> int:
    try:
        queue = topology.dead_letter_queue(queue_name)(connection.default_channel)
        return queue.queue_declare(passive=True).message_count
    except Exception:  # never declared: nothing parked
        return 0


def take(connection: Any, queue_name: str, limit: int | None = None) -> list[Any]:
    """Messages from ``<queue>.dead``, unacknowledged (the caller acks or lets them return)."""
    queue = topology.dead_letter_queue(queue_name)(connection.default_channel)
    messages: list[Any] = []
    while limit is None or len(messages) < limit:
        message = queue.get(no_ack=False)
        if message is None:
            break
        messages.append(message)
    return messages


def replay(connection: Any, queue_name: str) -> int:
    """Moves every parked event back into its queue; returns how many."""
    producer = connection.Producer()
    moved = 0
    for message in take(connection, queue_name):
        headers = {key: value for key, value in (message.headers or {}).items() if key != ATTEMPT_HEADER}
        producer.publish(message.body, routing_key=queue_name, headers=headers, delivery_mode=2,
                         **as_sent(message))
        message.ack()
        moved += 1
    return moved


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> None:
    parser = argparse.ArgumentParser(description="List, show and replay parked events.")
    parser.add_argument("command", choices=("list", "show", "replay"))
    parser.add_argument("queue", nargs="?")
    parser.add_argument("--limit", type=int, default=20)
    args = parser.parse_args(argv)
    if args.command != "list" and not args.queue:
        parser.error("{} needs a QUEUE".format(args.command))
    with Connection(config.amqp_uri()) as connection:
        if args.command == "list":
            for queue_name in topology.handler_queue_names():
                print("{}\t{}".format(dead_count(connection, queue_name), queue_name), file=out)
        elif args.command == "show":
            for message in take(connection, args.queue, args.limit):
                print(mask_personal_data(json.dumps({"headers": message.headers, "event": readable(message)},
                                                    ensure_ascii=False)), file=out)
            # not acked: they go back to the dead-letter queue when the connection closes
        else:
            print("{} replayed into {}".format(replay(connection, args.queue), args.queue), file=out)


if __name__ == "__main__":
    main()
