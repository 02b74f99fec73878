"""Stands in for what a service gets from ``OutboxRelay`` (common/outbox.py ``HandingOver``)."""
from common import clock, outbox


class FakeRelay:
    """Counts kicks and, if ``on_kick`` is set, records what it returns at each (what the world
    looked like when kicked). ``leased`` leases a document as the real relay does; ``hand_over``
    records the document and kicks, as the real one does."""

    claim = "claim-of-the-test-process"

    def __init__(self):
        self.count = 0
        self.observed = []
        self.on_kick = None
        self.handed = []

    def __call__(self):
        self.count += 1
        if self.on_kick is not None:
            self.observed.append(self.on_kick())

    def leased(self, document):
        return outbox.leased_to(self.claim, document, clock.now())

    def hand_over(self, document):
        self.handed.append(document)
        self()
