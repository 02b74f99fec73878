"""A tiny service for testing common.handlers under `nameko run`: it records the events it
handles to a file and fails on every event marked poison."""
import json
import os

from common.handlers import event_handler


class FlakyService:
    name = "flaky"

    @event_handler("flaky_source", "something_happened")
    def handle_something_happened(self, event):
        with open(os.environ["FLAKY_RECORD"], "a") as record:
            record.write(json.dumps(event) + "\n")
        if event.get("poison"):
            raise ValueError("poison event")
