import { call } from "../shared/api.js";
import { setUpApplicationPage } from "../shared/application-form.js";
import { setUpPage } from "../shared/layout.js";

const redraw = setUpApplicationPage((body) => call("POST", "/applications", { body: { ...body, channel: "web" } }),
  { trackLink: true });
setUpPage("portal", redraw);
