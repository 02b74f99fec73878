"""Stands in for what a service gets from a loop that takes work handed over (common/background.py
``HandingOver``): the outbox relay's, by default, or another's ``leasing``."""
from common import clock, outbox


class FakeRelay:
    """Counts kicks and, if ``on_kick`` is set, records what it returns at each (what the world
    looked like when kicked). ``leased`` leases a document as the real relay does (or as
    ``leasing`` does); ``hand_over`` records the documents and kicks, as the real one does."""

    claim = "claim-of-the-test-process"

    def __init__(self, leasing=None):
        self.leasing = leasing
        self.count = 0
        self.observed = []
        self.on_kick = None
        self.handed = []

    def __call__(self):
        self.count += 1
        if self.on_kick is not None:
            self.observed.append(self.on_kick())

    def leased(self, document):
        if self.leasing is not None:
            return self.leasing(document)
        return outbox.leased_to(self.claim, document, clock.now())

    def hand_over(self, *documents):
        self.handed.extend(documents)
        self()
