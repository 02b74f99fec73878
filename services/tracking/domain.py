"""Tracking's rules with no I/O: the public view of an application and its timeline, and the
staff statistics of a province's applications (``statistics``, ``stats_scope``).

The view holds nothing personal (docs/privacy.md#what-is-personal): no name, national ID, phone
or text of the application. The tracking code is kept only as a digest.
The answer's text is shown: it is what the citizen applied for.
"""
import hashlib
import hmac
import re
from datetime import datetime, time, timedelta, timezone

from common import clock
from common.errors import NotAllowed, NotFound
from contracts.events import facts

LANGUAGES = ("tr", "en")

STATUS_TEXTS = {
    "received": {
        "tr": "Başvurunuz alındı ve kayda geçti.",
        "en": "Your application has been received and recorded.",
    },
    "routed": {
        "tr": "Başvurunuz çözüm için ilgili birime iletildi.",
        "en": "Your application has been forwarded to the unit responsible.",
    },
    "returned": {
        "tr": "Başvurunuz doğru birime iletilmek üzere yeniden değerlendiriliyor.",
        "en": "Your application is being reassessed to forward it to the right unit.",
    },
    "answered": {
        "tr": "Başvurunuz sonuçlandı; yanıtı aşağıda okuyabilirsiniz.",
        "en": "Your application has been concluded; you can read the answer below.",
    },
}

SMS_FAILED_NOTICE = {
    "tr": "Size SMS ile ulaşamadık. Başvurunuzun durumunu ve sonucunu Açık Kapı masalarında, "
          "web sitesinde ve mobil uygulamada görebilirsiniz.",
    "en": "We could not reach you by SMS. You can read your application's status and result at an "
          "Açık Kapı desk, on the website and in the mobile app.",
}

# Compared against when the number is unknown, so both failures cost the same.
_ABSENT_DIGEST = hashlib.sha256(b"no such application").hexdigest()


def normalize_tracking_code(code):
    """As a citizen may type it: lower case, spaces or a dash in the middle."""
    return re.sub(r"[\s-]", "", code).upper()


def tracking_code_digest(code):
    return hashlib.sha256(normalize_tracking_code(code).encode("utf-8")).hexdigest()


def code_matches(document, tracking_code):
    stored = (document or {}).get("tracking_code_digest") or _ABSENT_DIGEST
    return hmac.compare_digest(stored, tracking_code_digest(tracking_code)) and document is not None


def received(event):
    """(fields to set, timeline entry) for ``application_received``.

    Events from different producers arrive in any order, so no event
    overwrites what another owns: status and last change are read off
    the timeline, not stored.
    """
    received_at = clock.from_iso(event["received_at"])
    fields = dict(
        facts(event),
        tracking_code_digest=tracking_code_digest(event["tracking_code"]),
        language=event["language"],
        received_at=received_at,
        due_at=clock.from_iso(event["due_at"]),
    )
    return fields, timeline_entry(event, "received", received_at, step=0)


def routed(event):
    entry = timeline_entry(event, "routed", clock.from_iso(event["occurred_at"]), event["step"])
    entry["unit"] = {"unit_id": event["unit_id"], "name": event["unit_name"]}
    return {}, entry


def returned(event):
    """The reason stays with staff: a unit's internal note is not the citizen's timeline."""
    return {}, timeline_entry(event, "returned", clock.from_iso(event["occurred_at"]), event["step"])


def answered(event):
    answered_at = clock.from_iso(event["answered_at"])
    answer = {"text": event["answer_text"], "outcome": event["outcome"], "answered_at": answered_at}
    return {"answer": answer}, timeline_entry(event, "answered", answered_at, event["step"])


def contacted(event):
    return {"last_contacted_at": clock.from_iso(event["occurred_at"])}, None


def deadline(event):
    """Kept for staff statistics; the citizen sees the due date itself."""
    return {event["event_name"] + "_at": clock.from_iso(event["occurred_at"])}, None


def sms_state(event, state):
    """When each SMS reached each state. Reports arrive in any order, so every state is kept
    rather than a "current" one a late report could overwrite. Not in the public timeline."""
    return {"sms.{}.{}".format(event["template"], state): clock.from_iso(event["occurred_at"])}, None


def sms_failed(document):
    """An SMS failed and was not delivered after all."""
    return any("failed" in states and "delivered" not in states for states in (document.get("sms") or {}).values())


def timeline_entry(event, status, at, step):
    return {"at": at, "status": status, "event_id": event["event_id"], "step": step}


def choose_language(requested, document):
    if requested in LANGUAGES:
        return requested
    return document.get("language", "tr")


def _chronological(entry):
    """By time, then by routing's step count: events arrive in any order, and steps of a fast
    officer (or a test) can share a millisecond. Receipt is step 0."""
    return entry["at"], entry.get("step", 0)


def current_unit(timeline):
    """The unit now handling it: the last routing, unless returned since."""
    for entry in reversed(timeline):
        if entry["status"] == "returned":
            return None
        if entry["status"] == "routed":
            return entry["unit"]
    return None


def public_facts(document, timeline):
    """What anyone may know of an application (``timeline`` in order): number, status, category,
    place and dates; the tracking view and the public requests (Open311) both start from it."""
    return {
        "application_no": document["application_no"],
        "status": timeline[-1]["status"],
        "category": document["category"],
        "province": document["province"],
        "district": document["district"],
        "received_at": clock.to_iso(document["received_at"]),
        "due_at": clock.to_iso(document["due_at"]),
        "updated_at": clock.to_iso(timeline[-1]["at"]),
    }


def public_view(document, language):
    timeline = sorted(document.get("timeline", []), key=_chronological)
    view = dict(
        public_facts(document, timeline),
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
    unit = current_unit(timeline)
    if unit:
        view["unit"] = {"name": unit["name"]}
    if document.get("answer"):
        answer = document["answer"]
        view["answer"] = {"text": answer["text"], "outcome": answer["outcome"],
                          "answered_at": clock.to_iso(answer["answered_at"])}
    return view


# --- statistics (GET /api/v1/stats) -------------------------------------------------------------

STATUSES = tuple(STATUS_TEXTS)  # received, routed, returned, answered
STATS_ROLES = ("router", "unit", "admin")
OVERDUE_LIST_LIMIT = 200
# What the statistics read of a document: no text, nothing about the applicant.
STATS_FIELDS = ("application_no", "kind", "channel", "received_at", "due_at", "answer.answered_at", "timeline")


def stats_scope(principal, province_code, unit_id):
    """``(province_code, unit_id)`` the officer may see statistics of.

    Every officer sees their own province (another one is 404, as for every staff call); a unit
    officer only the applications now with their unit (another unit is 404). Routers and admins
    may narrow to one unit. Other roles may not (403).
    """
    if principal["role"] not in STATS_ROLES:
        raise NotAllowed("statistics")
    if province_code not in (None, principal["province_code"]):
        raise NotFound("province")
    if principal["role"] == "unit":
        if unit_id not in (None, principal.get("unit_id")) or not principal.get("unit_id"):
            raise NotFound("unit")
        unit_id = principal["unit_id"]
    return principal["province_code"], unit_id


def period_bounds(first_day, last_day):
    """``[start, end)`` of the days ``first_day``..``last_day`` (both included) in Turkey's time."""
    start = datetime.combine(first_day, time.min, tzinfo=clock.TURKEY)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=clock.TURKEY)
    return start, end


def application_status(document):
    return sorted(document["timeline"], key=_chronological)[-1]["status"]


def application_unit(document):
    """The unit the application is with now (answered: the unit that answered), or None."""
    return current_unit(sorted(document.get("timeline", []), key=_chronological))


def _aware(moment):
    """Stores hand back UTC; a naive datetime from a store is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def percentile(values, fraction):
    """The ``fraction`` (0..1) percentile of ``values``, interpolating linearly between the two
    closest ranks (numpy's default, Excel's PERCENTILE.INC); None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def answered_on_time(document):
    return _aware(document["answer"]["answered_at"]) <= _aware(document["due_at"])


def hours_to_answer(document):
    return (_aware(document["answer"]["answered_at"]) - _aware(document["received_at"])).total_seconds() / 3600


def is_overdue(document, now):
    """Not answered, and its due time has passed."""
    return not document.get("answer") and _aware(document["due_at"]) < now


def _rounded(value, digits):
    return None if value is None else round(value, digits)


def statistics(documents, now, unit_id=None, overdue_limit=OVERDUE_LIST_LIMIT):
    """The statistics of ``documents`` (the read model's applications of one province and
    period), those now with ``unit_id`` only if given. Counts by status, kind, channel and unit;
    of the answered ones, the share answered by their due time and the median and 90th
    percentile of the hours from receipt to answer; the overdue ones (not answered, due time
    passed), most overdue first, at most ``overdue_limit`` of them listed. No personal data."""
    by_status = {status: 0 for status in STATUSES}
    by_kind, by_channel, by_unit = {}, {}, {}
    answered, overdue = [], []
    total = 0
    for document in documents:
        if not document.get("timeline"):
            continue  # received not applied yet (cannot be: the period's query reads received_at)
        unit = application_unit(document)
        if unit_id is not None and (unit is None or unit["unit_id"] != unit_id):
            continue
        total += 1
        status = application_status(document)
        by_status[status] += 1
        by_kind[document["kind"]] = by_kind.get(document["kind"], 0) + 1
        by_channel[document["channel"]] = by_channel.get(document["channel"], 0) + 1
        late = is_overdue(document, now)
        if unit is not None:
            row = by_unit.setdefault(unit["unit_id"], {"unit_id": unit["unit_id"], "name": unit["name"],
                                                       "total": 0, "answered": 0, "overdue": 0})
            row["total"] += 1
            row["answered"] += 1 if document.get("answer") else 0
            row["overdue"] += 1 if late else 0
        if document.get("answer"):
            answered.append(document)
        if late:
            overdue.append((document, unit))
    hours = [hours_to_answer(document) for document in answered]
    on_time = sum(1 for document in answered if answered_on_time(document))
    overdue.sort(key=lambda pair: (_aware(pair[0]["due_at"]), pair[0]["application_no"]))
    return {
        "total": total,
        "by_status": by_status,
        "by_kind": dict(sorted(by_kind.items())),
        "by_channel": dict(sorted(by_channel.items())),
        "by_unit": sorted(by_unit.values(), key=lambda row: (-row["total"], row["unit_id"])),
        "answered": {
            "count": len(answered),
            "on_time": on_time,
            "on_time_share": _rounded(on_time / len(answered), 4) if answered else None,
            "median_hours": _rounded(percentile(hours, 0.5), 2),
            "p90_hours": _rounded(percentile(hours, 0.9), 2),
        },
        "overdue": {
            "count": len(overdue),
            "items": [overdue_entry(document, unit, now) for document, unit in overdue[:overdue_limit]],
        },
    }


def overdue_entry(document, unit, now):
    return {
        "application_no": document["application_no"],
        "unit": {"unit_id": unit["unit_id"], "name": unit["name"]} if unit else None,
        "due_at": clock.to_iso(document["due_at"]),
        "overdue_hours": round((now - _aware(document["due_at"])).total_seconds() / 3600, 1),
    }


def statistics_view(stats, province_code, unit_id, first_day, last_day, now):
    return dict({"province_code": province_code, "unit_id": unit_id, "from": first_day.isoformat(),
                 "to": last_day.isoformat(), "generated_at": clock.to_iso(now)}, **stats)


# --- public requests (the gateway's Open311 GET requests) ---------------------------------------

# What a public request reads of a document: facts, dates and the timeline (for status and unit);
# never the answer's text, the tracking code's digest or the SMS states.
PUBLIC_REQUEST_FIELDS = ("application_no", "category", "province", "province_code", "district", "received_at",
                         "due_at", "timeline")


def public_requests_filter(wanted):
    """The store query of a public requests query (``requests.public_requests_query``): the
    province, then either the numbers asked for or the period, categories and open/closed
    (closed: answered, the only status with an ``answer``; open: every other)."""
    query = {"province_code": wanted["province_code"]}
    if wanted["application_nos"]:
        query["_id"] = {"$in": wanted["application_nos"]}
        return query
    query["received_at"] = {"$gte": wanted["start"], "$lte": wanted["end"]}
    if wanted["categories"]:
        query["category"] = {"$in": wanted["categories"]}
    if wanted["statuses"] == ["closed"]:
        query["answer"] = {"$exists": True}
    elif wanted["statuses"] == ["open"]:
        query["answer"] = {"$exists": False}
    return query


def public_request_view(document):
    """One application as anyone may see it: no applicant, no text, no answer (docs/privacy.md#what-is-personal)."""
    timeline = sorted(document["timeline"], key=_chronological)
    unit = current_unit(timeline)
    return dict(public_facts(document, timeline), unit=unit["name"] if unit else None)
