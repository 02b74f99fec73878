"""A tiny service for testing common.handlers and common.batch_handlers under `nameko run`: it
records the events it handles to a file (a batch's with its size) and fails on every event marked
poison (a batch that holds one fails whole)."""
import json
import os

from common.batch_handlers import batch_event_handler
from common.handlers import event_handler


def _record(events, **extra):
    with open(os.environ["FLAKY_RECORD"], "a") as record:
        for event in events:
            record.write(json.dumps(dict(event, **extra)) + "\n")


class FlakyService:
    name = "flaky"

    @event_handler("flaky_source", "something_happened")
    def handle_something_happened(self, event):
        _record([event])
        if event.get("poison"):
            raise ValueError("poison event")

    @batch_event_handler("flaky_source", "many_happened")
    def handle_many_happened(self, *events):
        _record(events, batch=len(events))
        if any(event.get("poison") for event in events):
            raise ValueError("poison event")
