// The last view of an application this device saw, for when the tracking page cannot reach the
// server (localStorage "acikkapi.last-view.<no>"). A phone or a family computer is often shared:
// only what the number alone may show is kept — status, dates, unit, timeline and the answer's
// outcome and date — never the answer's text and never the tracking code (docs/portal.md#offline-tracking).
const PREFIX = "acikkapi.last-view.";

function keyOf(applicationNo) {
  return PREFIX + applicationNo;
}

// Keeps ``view`` (a GET /applications/{no} answer) without its secret parts; never fatal (a full
// or disabled storage only means there is nothing to show offline).
export function keepLastView(view) {
  const kept = {
    application_no: view.application_no, status: view.status, kind: view.kind, category: view.category,
    province: view.province, district: view.district, unit: view.unit ? { name: view.unit.name } : null,
    received_at: view.received_at, due_at: view.due_at, updated_at: view.updated_at,
    timeline: (view.timeline || []).map(({ at, status, text }) => ({ at, status, text })),
    answer: view.answer ? { outcome: view.answer.outcome, answered_at: view.answer.answered_at } : null,
  };
  try {
    localStorage.setItem(keyOf(view.application_no), JSON.stringify({ saved_at: new Date().toISOString(), view: kept }));
  } catch {
    // nothing kept: the page still works online
  }
}

// {saved_at, view} of ``applicationNo``, or null.
export function lastView(applicationNo) {
  try {
    const kept = JSON.parse(localStorage.getItem(keyOf(applicationNo)));
    return kept && kept.view && kept.view.application_no === applicationNo ? kept : null;
  } catch {
    return null;
  }
}
