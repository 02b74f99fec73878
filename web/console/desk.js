import { staffCall } from "../common/api.js";
import { setUpApplicationPage } from "../common/application-form.js";
import { keyedOnce } from "../common/idempotency.js";
import { requireStaff, setUpPage } from "../common/layout.js";

if (requireStaff("desk")) {
  const redraw = setUpApplicationPage(
    keyedOnce((body, headers) => staffCall("POST", "/desk/applications", { body: { ...body, channel: "desk" }, headers })));
  setUpPage("console", redraw);
}
