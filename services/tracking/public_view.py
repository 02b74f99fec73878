"""The citizen's view of one application (GET /api/v1/applications/<no>): its public facts, the
timeline in the citizen's language, the unit now handling it, the answer with its verification code
and the applicant's rating, until when an objection may be filed, the objection and its answer, a
notice when the SMS could not be sent, and the two deadlines with their days left. Nothing personal
of anyone else (docs/privacy.md#what-is-personal); the answer's text is shown: it is what the
citizen applied for, and the objection's and the rating's texts are the citizen's own."""
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from common import clock
from messages import LANGUAGES, by_language
from services.tracking.domain import chronological, current_unit, deadlines, notice_email, public_facts, sms_failed
from services.tracking.feedback import FIRST, OBJECTION, rating_view
from services.tracking.objections import objection_view

# The texts are in the message catalogues (messages/tr.py, messages/en.py: ``tracking.*``).
STATUS_TEXTS = {
    "received": by_language("tracking.status.received"),
    "routed": by_language("tracking.status.routed"),
    "returned": by_language("tracking.status.returned"),
    "answered": by_language("tracking.status.answered"),
    "objected": by_language("tracking.status.objected"),
}

SMS_FAILED_NOTICE = by_language("tracking.sms_failed_notice")
CONSIDERED_WITH = by_language("tracking.considered_with")


def choose_language(requested: str | None, document: Mapping[str, Any]) -> str:
    if requested in LANGUAGES:
        return requested
    language: str = document.get("language", "tr")
    return language



def public_view(document: Mapping[str, Any], language: str, now: datetime, objection_window: timedelta,
                incident: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``now``: Turkey's time (the deadlines count their days left from its date); an objection may
    be filed until ``objection_window`` after the answer (``objection_until``, while it is open);
    ``incident``: the applications it was considered together with (``considered_with``: how many
    others, and the sentence saying so — never who or which)."""
    today: date = now.date()
    timeline = sorted(document.get("timeline", []), key=chronological)
    view = dict(
        public_facts(document, timeline),
        deadlines=deadlines(document, today),
        kind=document["kind"],
        timeline=[
            {
                "at": clock.to_iso(entry["at"]),
                "status": entry["status"],
                "text": STATUS_TEXTS[entry["status"]][language],
            }
            for entry in timeline
        ],
    )
    if sms_failed(document):
        view["notice"] = SMS_FAILED_NOTICE[language]
        if notice_email(document):  # the same notice went by e-mail (issue 23): where, masked
            view["notice_email"] = notice_email(document)
    unit = current_unit(timeline)
    if unit:
        view["unit"] = {"name": unit["name"]}
    others = len((incident or {}).get("application_nos") or []) - 1
    if others > 0:
        view["considered_with"] = {"count": others, "text": CONSIDERED_WITH[language].format(count=others)}
    rated = document.get("feedback") or {}
    if document.get("answer"):
        answer = document["answer"]
        view["answer"] = {"text": answer["text"], "outcome": answer["outcome"],
                          "answered_at": clock.to_iso(answer["answered_at"]),
                          "verification_code": answer.get("verification_code"),
                          "feedback": rating_view(rated.get(FIRST))}
        until = clock.aware(answer["answered_at"]) + objection_window
        if not document.get("objection") and now <= until:
            view["objection_until"] = clock.to_iso(until)
    if document.get("objection"):
        view["objection"] = objection_view(document["objection"])
        if view["objection"]["answer"]:
            view["objection"]["answer"]["feedback"] = rating_view(rated.get(OBJECTION))
    return view
