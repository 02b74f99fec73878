"""What intake counts: applications recorded, by channel, kind and province (81 values: bounded).
A replayed submission (same Idempotency-Key) is not counted again."""
from prometheus_client import Counter

APPLICATIONS_RECEIVED = Counter(
    "acikkapi_applications_received_total", "Applications recorded by intake", ["channel", "kind", "province"])
