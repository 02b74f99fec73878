import { staffCall } from "../shared/api.js";
import { setUpApplicationPage } from "../shared/application-form.js";
import { keyedOnce } from "../shared/idempotency.js";
import { requireStaff, setUpPage } from "../shared/layout.js";

if (requireStaff("desk")) {
  const redraw = setUpApplicationPage(
    keyedOnce((body, headers) => staffCall("POST", "/desk/applications", { body: { ...body, channel: "desk" }, headers })));
  setUpPage("console", redraw);
}
