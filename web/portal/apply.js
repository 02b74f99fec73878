import { call } from "../shared/api.js";
import { setUpApplicationPage } from "../shared/application-form.js";
import { keyedOnce } from "../shared/idempotency.js";
import { setUpPage } from "../shared/layout.js";

const redraw = setUpApplicationPage(
  keyedOnce((body, headers) => call("POST", "/applications", { body: { ...body, channel: "web" }, headers })),
  { trackLink: true });
setUpPage("portal", redraw);
