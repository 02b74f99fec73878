"""The public requests of a province (the gateway's Open311 GET requests): what a listing reads of
each application and how one looks to anyone: no applicant, no text, no answer
(docs/privacy.md#what-is-personal). The store finds them (``TrackingStore.public_requests``)."""
from collections.abc import Mapping
from typing import Any

from services.tracking.domain import chronological, current_unit, public_facts

# What a public request reads of a document: facts, dates and the timeline (for status and unit);
# never the answer's text, the tracking code's digest or the SMS states.
PUBLIC_REQUEST_FIELDS = ("application_no", "category", "province", "province_code", "district", "received_at",
                         "due_at", "timeline")


def public_request_view(document: Mapping[str, Any]) -> dict[str, Any]:
    """One application as anyone may see it: no applicant, no text, no answer (docs/privacy.md#what-is-personal)."""
    timeline = sorted(document["timeline"], key=chronological)
    unit = current_unit(timeline)
    return dict(public_facts(document, timeline), unit=unit["name"] if unit else None)
