import { staffCall } from "../shared/api.js";
import { setUpApplicationPage } from "../shared/application-form.js";
import { requireStaff, setUpPage } from "../shared/layout.js";

if (requireStaff("desk")) {
  const redraw = setUpApplicationPage((body) => staffCall("POST", "/desk/applications", { body: { ...body, channel: "desk" } }));
  setUpPage("console", redraw);
}
