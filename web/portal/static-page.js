// The help and privacy pages: their texts are written in the HTML once per language (data-lang
// blocks, shown by i18n.js), so the module only brings the shared header, the language switch and
// the <title>'s two languages; app-shell.js makes them part of the installable app.
import "./app-shell.js";
import { addStrings } from "../common/i18n.js";
import { setUpPage } from "../common/layout.js";

addStrings({
  help_title: ["Yardım: 7 soruda Açık Kapı", "Help: Açık Kapı in 7 questions"],
  privacy_title: ["KVKK aydınlatma metni · Açık Kapı", "Privacy notice (KVKK) · Açık Kapı"],
});

setUpPage("portal");
