"""The operator's view of dead letters: events a handler gave up on (common/handlers.py).

    python -m common.dead_letters list                 # every <queue>.dead with its count
    python -m common.dead_letters show QUEUE [--limit N]   # the parked events, left in place
    python -m common.dead_letters replay QUEUE         # back into QUEUE, attempts counted afresh

QUEUE is the handler's queue name (``evt-intake-application_received--routing.handle_…``).
Shown events can carry a phone number (application_received does): the output masks it.
The handler queues are read off the services' code, so no RabbitMQ management plugin is needed.
"""
import argparse
import json
import sys

from kombu import Connection
from nameko.events import EventHandler

from common import config
from common.handlers import ATTEMPT_HEADER, dead_letter_queue
from common.logs import mask_personal_data


def handler_queues():
    """Every event handler queue of the four services (the names nameko gives them)."""
    from services.notification.service import NotificationService
    from services.routing.service import RoutingService
    from services.tracking.service import TrackingService

    queues = []
    for service in (RoutingService, NotificationService, TrackingService):
        for attr, method in vars(service).items():
            for entrypoint in getattr(method, "nameko_entrypoints", ()):
                if isinstance(entrypoint, EventHandler):
                    queues.append("evt-{}-{}--{}.{}".format(
                        entrypoint.source_service, entrypoint.event_type, service.name, attr))
    return sorted(queues)


def dead_count(connection, queue_name):
    try:
        return dead_letter_queue(queue_name)(connection.default_channel).queue_declare(passive=True).message_count
    except Exception:  # never declared: nothing parked
        return 0


def take(connection, queue_name, limit=None):
    """Messages from ``<queue>.dead``, unacknowledged (the caller acks or lets them return)."""
    queue = dead_letter_queue(queue_name)(connection.default_channel)
    messages = []
    while limit is None or len(messages) < limit:
        message = queue.get(no_ack=False)
        if message is None:
            break
        messages.append(message)
    return messages


def replay(connection, queue_name):
    """Moves every parked event back into its queue; returns how many."""
    producer = connection.Producer()
    moved = 0
    for message in take(connection, queue_name):
        headers = {key: value for key, value in (message.headers or {}).items() if key != ATTEMPT_HEADER}
        producer.publish(message.payload, routing_key=queue_name, headers=headers, serializer="json",
                         delivery_mode=2)
        message.ack()
        moved += 1
    return moved


def main(argv=None, out=sys.stdout):
    parser = argparse.ArgumentParser(description="List, show and replay parked events.")
    parser.add_argument("command", choices=("list", "show", "replay"))
    parser.add_argument("queue", nargs="?")
    parser.add_argument("--limit", type=int, default=20)
    args = parser.parse_args(argv)
    if args.command != "list" and not args.queue:
        parser.error("{} needs a QUEUE".format(args.command))
    with Connection(config.amqp_uri()) as connection:
        if args.command == "list":
            for queue_name in handler_queues():
                print("{}\t{}".format(dead_count(connection, queue_name), queue_name), file=out)
        elif args.command == "show":
            for message in take(connection, args.queue, args.limit):
                print(mask_personal_data(json.dumps({"headers": message.headers, "event": message.payload},
                                                    ensure_ascii=False)), file=out)
            # not acked: they go back to the dead-letter queue when the connection closes
        else:
            print("{} replayed into {}".format(replay(connection, args.queue), args.queue), file=out)


if __name__ == "__main__":
    main()
