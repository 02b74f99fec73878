"""A stand-in for the gateway's event publisher: the gateway's tests see what it would publish without a broker."""
from gateway.rpc import ServiceUnavailable


class FakeEventPublisher:
    """Stands for gateway.events.EventPublisher: records each event, or refuses it as the broker
    would (``refuse()``: unreachable, returned or nacked)."""

    def __init__(self):
        self.published = []
        self.refusing = False

    def refuse(self):
        self.refusing = True

    def publish(self, event):
        if self.refusing:
            raise ServiceUnavailable("broker")
        self.published.append(event)
