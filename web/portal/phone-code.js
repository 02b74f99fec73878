// The mobile phone proven by a one-time code sent by SMS (POST /api/v1/phone-verifications, then
// …/{id} with the code), on the apply page where the catalogue's ``requirements.phone_verification``
// says so (docs/portal.md#applicant-checks; composed by applicant-checks.js).
//
// A proven phone goes into the body as ``phone_verification: {id, code}``, so the body an
// Idempotency-Key is bound to includes it: a retry sends the very same body. The proof is kept in
// sessionStorage (with a digest of the phone, never the phone) until the application is accepted,
// so that the same form filled again after a reload carries the same proof, and with it the same
// key (web/common/idempotency.js): the server answers with the application it already made.
import { call } from "../common/api.js";
import { element, fieldId, inOurLanguage, messageFor, pageText } from "../common/forms.js";
import { currentLanguage, t } from "../common/i18n.js";

const PROOF_KEY = "acikkapi.portal.phone-proof";
// Refusals of a submission's proof (422 naming one of these): the proof can prove nothing any more.
export const PROOF_FIELDS = ["phone_verification", "phone_verification.id", "phone_verification.code"];
// Why a code can prove nothing (409 of …/{id}): the page's own words, each asking for a new code.
const DEAD = { verification_locked: "phone_code_locked", verification_expired: "phone_code_expired",
  verification_used: "phone_code_used" };

export class PhoneCode {
  constructor(form) {
    this.form = form;
    this.on = false;
    this.built = false;
    this.lifetime = 300;  // the catalogue's code_lifetime_seconds and max_attempts
    this.tries = 3;
    // null: nothing asked; {digits, id, dead}: a code sent; {…, verified, code}: proven
    this.state = null;
    this.messages = new Map();  // input → why (a pageText, a server text, or {failure: error})
    this.status = null;  // [key, params] of the line under the phone
    this.input = form.querySelector("#" + fieldId("applicant.phone"));
    // the messages written again after forms.js wrote the form's own in the new language (this
    // observer is made after forms.js's, so it is called after it)
    new MutationObserver(() => this.#drawMessages()).observe(document.documentElement,
      { attributes: true, attributeFilter: ["lang"] });
  }

  require(on, requirements = {}) {
    if (requirements.code_lifetime_seconds) this.lifetime = requirements.code_lifetime_seconds;
    if (requirements.max_attempts) this.tries = requirements.max_attempts;
    if (on && !this.built) this.#build();
    this.on = on;
    this.draw();
    if (on) this.#restore();
  }

  // The phone with its Send code button beside it, the hint, the line saying what happened, and
  // the code's input with Verify and "send a new code" (shown once a code was sent).
  #build() {
    this.built = true;
    const input = this.input;
    const wrap = element("div", { class: "input-wrap" });
    const row = element("div", { class: "with-button" }, wrap);
    input.replaceWith(row);
    wrap.append(input);
    this.send = element("button", { type: "button", id: "send-code", class: "secondary", "data-i18n": "phone_code_send",
      text: t("phone_code_send") });
    row.append(this.send);
    this.hint = element("p", { class: "hint", id: input.id + "-hint", "data-i18n": "phone_code_hint",
      text: t("phone_code_hint") });
    this.line = element("p", { class: "phone-code-status", id: "phone-code-status", role: "status", tabindex: "-1" });
    row.after(this.hint, this.line);

    const codeId = "f-phone-code";
    this.code = element("input", { id: codeId, type: "text", inputmode: "numeric", autocomplete: "one-time-code",
      maxlength: "6", "aria-describedby": codeId + "-hint" });
    this.verify = element("button", { type: "button", id: "verify-code", "data-i18n": "phone_code_verify",
      text: t("phone_code_verify") });
    this.resend = element("button", { type: "button", id: "resend-code", class: "link", "data-i18n": "phone_code_resend",
      text: t("phone_code_resend") });
    this.codeHint = element("p", { class: "hint", id: codeId + "-hint" });
    this.step = element("div", { class: "code-step", id: "code-step", hidden: true },
      element("label", { for: codeId, "data-i18n": "phone_code_label", text: t("phone_code_label") }),
      this.codeHint,
      element("div", { class: "with-button" }, element("div", { class: "input-wrap code-wrap" }, this.code), this.verify),
      element("p", { class: "resend" },
        element("span", { "data-i18n": "phone_code_resend_intro", text: t("phone_code_resend_intro") }), " ",
        this.resend));
    this.line.after(this.step);

    this.send.addEventListener("click", () => this.#ask());
    this.resend.addEventListener("click", () => this.#ask());
    this.verify.addEventListener("click", () => this.#prove());
    // Enter in the code's box verifies it (it would send the whole form)
    this.code.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      this.#prove();
    });
    input.addEventListener("input", () => this.#phoneChanged());
  }

  // --- asking for a code, proving it --------------------------------------------------------------

  async #ask() {
    const phone = this.input.value.trim();
    this.#clear(this.input);
    this.#clear(this.code);
    if (!phone) {
      this.#say(this.input, pageText("phone_code_phone_first"));
      return;
    }
    let answer;
    try {
      answer = await this.#busy([this.send, this.resend], () => call("POST", "/phone-verifications",
        { body: { phone, language: currentLanguage() } }));
    } catch (error) {
      if (error.status === 429) this.#say(this.input, pageText("phone_code_too_many"));
      else this.#say(this.input, error.fields && error.fields.phone ? error.fields.phone : { failure: error });
      return;
    }
    if (digitsOf(this.input.value) !== digitsOf(phone)) return;  // another number typed meanwhile
    this.state = { digits: digitsOf(phone), id: answer.verification_id, dead: null };
    this.code.value = "";
    this.status = ["phone_code_sent", { phone }];
    this.draw();
    this.code.focus();
  }

  async #prove() {
    this.#clear(this.code);
    const code = this.code.value.replace(/\s/g, "");
    if (!this.state || this.state.dead) {
      this.#say(this.code, pageText(this.state ? DEAD[this.state.dead] : "phone_code_ask_first"));
      return;
    }
    if (!/^[0-9]{6}$/.test(code)) {
      this.#say(this.code, pageText("phone_code_six_digits"));
      return;
    }
    const asked = this.state;
    let answer;
    try {
      answer = await this.#busy([this.verify], () => call("POST", "/phone-verifications/" + encodeURIComponent(asked.id),
        { body: { code } }));
    } catch (error) {
      if (this.state !== asked) return;  // the phone changed meanwhile
      if (error.status === 409 || error.status === 404) {
        asked.dead = DEAD[error.code] ? error.code : "verification_expired";
        this.#say(this.code, pageText(DEAD[asked.dead]));
      } else if (error.status === 429) {
        this.#say(this.code, pageText("phone_code_too_many"));
      } else {
        this.#say(this.code, error.fields && error.fields.code ? error.fields.code : { failure: error });
      }
      this.code.select();
      return;
    }
    if (this.state !== asked) return;
    this.state = { ...asked, verified: true, code };
    this.status = ["phone_code_verified"];
    this.#keep();
    this.draw();
    this.line.focus();
  }

  // Runs ``request`` with ``buttons`` disabled (one code per click); answers its answer.
  async #busy(buttons, request) {
    for (const button of buttons) {
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
    }
    try {
      return await request();
    } finally {
      for (const button of buttons) {
        button.disabled = false;
        button.removeAttribute("aria-busy");
      }
    }
  }

  // Another number than the one a code was sent to: the step starts again.
  #phoneChanged() {
    if (this.state && digitsOf(this.input.value) !== this.state.digits) {
      const wasVerified = this.state.verified;
      this.forget();
      if (wasVerified) this.status = ["phone_code_changed"];
      this.draw();
    }
    this.#restore();
  }

  // --- the form's hooks --------------------------------------------------------------------------

  problems() {
    // a submission clears every message (forms.js onSubmit): so do the step's
    this.messages.clear();
    if (!this.on || (this.state && this.state.verified) || !this.input.value.trim()) return null;
    return { "applicant.phone": pageText("phone_code_required") };
  }

  addTo(body) {
    if (this.on && this.state && this.state.verified) {
      body.phone_verification = { id: this.state.id, code: this.state.code };
    }
  }

  // A kept submission refused for another reason (the proof's refusals go through ``refused``):
  // its proof was not spent, so it proves the phone again.
  fill(body, error) {
    const proof = body.phone_verification;
    const refusedProof = error && error.fields && PROOF_FIELDS.some((path) => path in error.fields);
    const phone = body.applicant && body.applicant.phone;
    if (proof && proof.id && phone && !refusedProof) {
      this.require(true);
      this.state = { digits: digitsOf(phone), id: proof.id, dead: null, verified: true, code: proof.code };
      this.status = ["phone_code_verified"];
      this.#keep();
      this.draw();
    }
  }

  // The step as it was before any code (the form emptied, a proof refused or spent).
  forget() {
    this.state = null;
    this.status = null;
    this.messages.clear();
    try {
      sessionStorage.removeItem(PROOF_KEY);
    } catch {
      // storage refused: nothing was kept
    }
    if (this.built) {
      this.code.value = "";
      this.#clear(this.code);
      this.draw();
    }
  }

  redraw() {
    this.draw();
  }

  draw() {
    if (!this.built) return;
    const state = this.on ? this.state : null;
    const verified = Boolean(state && state.verified);
    // the hint says how to begin: once a code is sent, the line under it says what happened
    this.send.hidden = this.hint.hidden = !this.on || Boolean(state);
    describedBy(this.input, this.hint.id, !this.hint.hidden);
    this.step.hidden = !state || verified;
    const minutes = this.lifetime % 60 === 0;
    this.codeHint.textContent = t(minutes ? "phone_code_hint_minutes" : "phone_code_hint_seconds",
      { n: minutes ? this.lifetime / 60 : this.lifetime, tries: this.tries });
    this.line.classList.toggle("verified", verified);
    this.line.replaceChildren();
    if (this.on && this.status) {
      if (verified) this.line.append(element("span", { class: "check", "aria-hidden": "true", text: "✓" }));
      this.line.append(t(this.status[0], this.status[1]));
    }
  }

  // --- a proof kept for the tab: the same form after a reload carries the same proof ----------------

  async #keep() {
    const state = this.state;
    const digest = await phoneDigest(state.digits);
    if (!digest || this.state !== state) return;
    try {
      sessionStorage.setItem(PROOF_KEY, JSON.stringify({ phone: digest, id: state.id, code: state.code }));
    } catch {
      // storage refused: after a reload the phone is proven again
    }
  }

  async #restore() {
    if (!this.on || this.state) return;
    let kept = null;
    try {
      kept = JSON.parse(sessionStorage.getItem(PROOF_KEY));
    } catch {
      return;
    }
    if (!kept || !kept.id || !kept.phone) return;
    const digits = digitsOf(this.input.value);
    if (!digits || (await phoneDigest(digits)) !== kept.phone) return;
    if (this.state || digitsOf(this.input.value) !== digits) return;  // typed on meanwhile
    this.state = { digits, id: kept.id, dead: null, verified: true, code: kept.code };
    this.status = ["phone_code_verified"];
    this.draw();
  }

  // --- the step's messages, beside their inputs as forms.js shows field errors -----------------------

  #say(input, why) {
    this.messages.set(input, why);
    this.#draw(input, why);
    input.focus();
  }

  #clear(input) {
    this.messages.delete(input);
    const message = this.form.querySelector("#" + CSS.escape(input.id + "-error"));
    if (message) message.remove();
    input.removeAttribute("aria-invalid");
    const rest = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== input.id + "-error");
    if (rest.length) input.setAttribute("aria-describedby", rest.join(" "));
    else input.removeAttribute("aria-describedby");
  }

  #drawMessages() {
    for (const [input, why] of this.messages) this.#draw(input, why);
    this.draw();
  }

  #draw(input, why) {
    const id = input.id + "-error";
    const old = this.form.querySelector("#" + CSS.escape(id));
    if (old) old.remove();
    const message = element("p", { class: "field-error", id, text: textOf(why) });
    // the code's message under its row (the box is narrow), the phone's under it as forms.js puts it
    (input === this.code ? input.closest(".with-button") : input).insertAdjacentElement("afterend", message);
    input.setAttribute("aria-invalid", "true");
    const hints = (input.getAttribute("aria-describedby") || "").split(" ").filter((other) => other && other !== id);
    input.setAttribute("aria-describedby", [id, ...hints].join(" "));
  }
}

// ``id`` in (``on``) or out of the ids ``input`` is described by; a hint after any error.
function describedBy(input, id, on) {
  const ids = (input.getAttribute("aria-describedby") || "").split(" ").filter((other) => other && other !== id);
  if (on) ids.push(id);
  if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
  else input.removeAttribute("aria-describedby");
}

function textOf(why) {
  if (why && typeof why === "object" && why.key) return t(why.key, why.params);
  if (why && typeof why === "object" && why.failure) return messageFor(why.failure);
  return inOurLanguage(why);
}

// The number's own digits, however it was written: 0532 123 45 67, +90 532 123 4567, 5321234567.
function digitsOf(phone) {
  let digits = String(phone || "").replace(/\D/g, "");
  if (digits.length === 12 && digits.startsWith("90")) digits = digits.slice(2);
  if (digits.length === 11 && digits.startsWith("0")) digits = digits.slice(1);
  return digits;
}

// SHA-256 of the digits, hex; "" without SubtleCrypto (not a secure context: nothing is kept).
async function phoneDigest(digits) {
  if (!(window.crypto && crypto.subtle && crypto.subtle.digest)) return "";
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode("phone:" + digits)));
  return Array.from(hash, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
