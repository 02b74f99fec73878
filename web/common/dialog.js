// A question before something that cannot be undone, as a modal <dialog>: the browser keeps
// focus inside it and Escape cancels it; focus goes back to where it was when it closes.
import { element } from "./forms.js";
import { t } from "./i18n.js";

let opened = 0;

// Resolves true (confirmed) or false (cancelled, Escape). ``body``: more nodes under the text.
export function confirmDialog({ heading, text, confirmLabel, cancelLabel = t("cancel"), body = [], id } = {}) {
  const number = ++opened;
  const headingId = "dialog-heading-" + number;
  const textId = "dialog-text-" + number;
  const confirm = element("button", { type: "button", class: "confirm", text: confirmLabel });
  const cancel = element("button", { type: "button", class: "secondary cancel", text: cancelLabel });
  const dialog = element("dialog", { id, class: "confirm-dialog", "aria-labelledby": headingId, "aria-describedby": textId },
    element("h2", { id: headingId, text: heading }),
    element("p", { id: textId, text }),
    ...body,
    element("div", { class: "dialog-buttons" }, confirm, cancel));
  const opener = document.activeElement;
  document.body.append(dialog);
  return new Promise((resolve) => {
    let answer = false;
    confirm.addEventListener("click", () => { answer = true; dialog.close(); });
    cancel.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      dialog.remove();
      if (opener && opener.isConnected && typeof opener.focus === "function") opener.focus();
      resolve(answer);
    });
    dialog.showModal();
    cancel.focus(); // the safe choice first: Enter on an unread dialog changes nothing
  });
}
