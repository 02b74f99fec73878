"""Bringing an incident's applications up to the incident (services/routing/incidents.py): each open
member routed to the incident's unit, each member with that unit answered with the incident's
answer — every one its own conditional transition, so a member is routed and answered once however
many callers (a router adding, the officer answering, the watcher after a crash) do this at once."""
from common import clock
from services.routing import domain, incidents, verification


def bring_up(store, incident, keyring, router=None):
    """Routes the routable members (only when ``router``, the principal routing, is given: a unit's
    officer does not route) and answers those routed to the incident's unit once it is answered.
    Returns how many transitions were written."""
    unit = incident.get("unit_id") and store.find_unit(incident["unit_id"])
    answer = incident.get("answer")
    officer = answer and incidents.answering_officer(incident)

    def routed(application, now):
        return domain.route(application, unit, router, "incident: " + incident["title"], now)

    def answered(application, now):
        return domain.answer(application, officer, answer["text"], answer["outcome"], now,
                             verification.sealed(application, answer["text"], now, keyring))

    written = 0
    for application in store.members(incident["_id"]):
        if router is not None and unit and application["status"] in domain.ROUTABLE:
            written += _apply(store, application, routed)
            application = store.find_application(application["_id"])
        if answer and application["status"] == domain.ROUTED and application.get("unit_id") == incident["unit_id"]:
            written += _apply(store, application, answered)
    return written


def complete_answers(store, keyring, limit=50):
    """The watcher's part: answered incidents whose members may still be open (a crash mid-way)
    get them answered; an incident with none left open is marked complete. How many it wrote."""
    written = 0
    for incident in store.answered_incidents_open(limit):
        written += bring_up(store, incident, keyring)
        if not any(member["status"] in domain.OPEN_STATUSES and member.get("unit_id") == incident["unit_id"]
                   for member in store.members(incident["_id"])):
            store.mark_answer_complete(incident["_id"], incident["version"])
    return written


def _apply(store, application, decide):
    """1 if written; 0 if the application changed meanwhile (someone else did it: nothing to do)."""
    return int(store.apply(application["_id"], domain.linked(decide(application, clock.now()), application)))
