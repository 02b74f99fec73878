import { call } from "../common/api.js";
import { setUpApplicationPage } from "../common/application-form.js";
import { keyedOnce } from "../common/idempotency.js";
import { setUpPage } from "../common/layout.js";

const redraw = setUpApplicationPage(
  keyedOnce((body, headers) => call("POST", "/applications", { body: { ...body, channel: "web" }, headers })),
  { trackLink: true });
setUpPage("portal", redraw);
