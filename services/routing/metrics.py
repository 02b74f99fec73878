"""What routing counts: applications routed and answered by province; open applications past due."""
from prometheus_client import Counter, Gauge

APPLICATIONS_ROUTED = Counter(
    "acikkapi_applications_routed_total", "Applications routed to a unit", ["province"])
APPLICATIONS_ANSWERED = Counter(
    "acikkapi_applications_answered_total", "Applications answered by a unit", ["province"])
APPLICATIONS_OVERDUE = Gauge(
    "acikkapi_applications_overdue", "Open applications (unrouted, routed, returned) past their due time, "
    "as of routing's last deadline check")
