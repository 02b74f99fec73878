"""What routing counts: applications routed and answered (on time or not) by province; open
applications per unit and past due, as of the last deadline check."""
from prometheus_client import Counter, Gauge

APPLICATIONS_ROUTED = Counter(
    "acikkapi_applications_routed_total", "Applications routed to a unit", ["province"])
APPLICATIONS_ANSWERED = Counter(
    "acikkapi_applications_answered_total", "Applications answered by a unit, by the due time or not",
    ["province", "on_time"])
OPEN_APPLICATIONS = Gauge(
    "acikkapi_open_applications", "Open applications by province and the unit holding them "
    "(unit \"none\": waiting for a router), as of routing's last deadline check", ["province", "unit"])
APPLICATIONS_OVERDUE = Gauge(
    "acikkapi_applications_overdue", "Open applications (unrouted, routed, returned) past their due time, "
    "as of routing's last deadline check")
