"""What intake counts: applications recorded, by channel, kind and province (81 values: bounded).
A replayed submission (same Idempotency-Key) is not counted again. And the population registry's
answers by outcome, with the time its calls take: an outage shows before citizens report it."""
from prometheus_client import Counter, Histogram

APPLICATIONS_RECEIVED = Counter(
    "acikkapi_applications_received_total", "Applications recorded by intake", ["channel", "kind", "province"])

IDENTITY_CHECKS = Counter(
    "acikkapi_identity_checks_total", "Population registry checks of applicants, by outcome and where the "
    "answer came from", ["outcome", "source"])  # outcome: verified, refused, unavailable; source: registry, cache
REGISTRY_CALL_SECONDS = Histogram(
    "acikkapi_identity_registry_call_seconds", "Time of one call to the population registry",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0))
