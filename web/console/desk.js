// The desk (POST /api/v1/desk/applications): an application for a citizen at the counter, then a
// printable receipt; one Idempotency-Key per application form, so a double click, a retry after an
// error or a lost answer never makes a second application.
import { session, staffCall } from "../common/api.js";
import { setUpApplicationPage } from "../common/application-form.js";
import { keyedOnce } from "../common/idempotency.js";
import { requireStaff, setUpPage } from "../common/layout.js";

if (requireStaff("desk")) {
  const redraw = setUpApplicationPage(
    keyedOnce((body, headers) => staffCall("POST", "/desk/applications", { body: { ...body, channel: "desk" }, headers })),
    { printable: true, province: session().province });
  setUpPage("console", redraw);
}
