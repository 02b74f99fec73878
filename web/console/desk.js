// The desk (POST /api/v1/desk/applications): an application for a citizen at the counter, then a
// printable receipt; one Idempotency-Key per application form, so a double click, a retry after an
// error or a lost answer never makes a second application. The officer confirms that the applicant
// was given the privacy notice; its version goes with the application.
import { session, staffCall } from "../common/api.js";
import { setUpApplicationPage } from "../common/application-form.js";
import { requireStaff, setUpPage } from "../common/layout.js";

if (requireStaff("desk")) {
  const page = setUpApplicationPage({
    post: (body, headers) => staffCall("POST", "/desk/applications", { body, headers }),
    channel: "desk",
    scope: "desk",
    receipt: "desk",
    province: session().province,
  });
  setUpPage("console", page.redraw);
}
