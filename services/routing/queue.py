"""The staff queue: one page and the counts per status of an officer's queue (docs/api.md#staff).

A whole queue is read from the indexes (``RoutingStore.queue_counts``, ``queue_page``): counts from
index rows, the page in index order, so both stay fast however many applications a province holds.
A searched queue (``application_nos``: what the gateway's search in intake found, at most 1000) is
read by number and filtered, counted and sorted in memory by the same rules (``domain.searched_page``),
and so is the escalated view (``escalated``: open and past the statutory limit, which are few).
"""
from services.routing import domain


def queue_page(store, principal, wanted, now, application_nos=None):
    """The page ``wanted`` (``requests.queue_query``) of ``principal``'s queue, or of the part of it
    among ``application_nos`` (none: an empty page with zero counts, and no query)."""
    scope = domain.queue_scope(principal, wanted["unit_id"], wanted["overdue"])
    asked = domain.asked_statuses(principal, wanted["status"], wanted["overdue"])
    skip, limit = (wanted["page"] - 1) * wanted["page_size"], wanted["page_size"]
    if wanted.get("escalated"):
        escalated = store.escalated_in_scope(scope)
        if application_nos is not None:
            searched = set(application_nos)
            escalated = [application for application in escalated if application["_id"] in searched]
        page, per_status = domain.searched_page(escalated, asked, wanted["overdue"], wanted["sort"], skip, limit, now)
    elif application_nos is None:
        per_status = store.queue_counts(scope, domain.ALL_STATUSES, now)
        page = store.queue_page(scope, asked, now, wanted["sort"], skip, limit, per_status)
    else:
        page, per_status = domain.searched_page(store.queue_among(scope, application_nos), asked,
                                                wanted["overdue"], wanted["sort"], skip, limit, now)
    return domain.queue_page_view(principal, page, per_status, asked, wanted["page"], wanted["page_size"], now)
