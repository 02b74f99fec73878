"""The apply page's code step (issue 24, docs/portal.md#applicant-checks) in a real browser, against a
system of its own with ``PHONE_VERIFICATION=required``: "Kod gönder" texts a code (read from the
fake SMS provider), a wrong code says the tries left, the right one shows the phone verified, and the
application goes with its proof — one application and its "received" SMS, a double click included.
Without a verified phone nothing is sent and the phone field says why; changing the number starts
the step again. Three wrong codes lock it and a new code is asked for; too many requests and an
expired code have their own words. An answer lost on its way, a reload and the same form again: the
same proof, the same key, the same application. A kept (offline) submission whose proof is refused
comes back into the form with the reason at the phone. Where the catalogue says ``identity_registry``
(the catalogue's answer changed in the browser: this system has no registry), the birth year, or
for a "99" ID the birth date, goes with the body; the registry out of reach has its own message.
axe and screenshots at 1280 and 390 px of the code sent, a wrong code, the phone verified, the form
stopped at the phone, and the birth year refused by the registry."""
import json
import random

import pytest

from tests.support.browser import browser, open_tab  # noqa: F401  (fixtures)
from tests.support.portal import (
    APPLICATIONS,
    RECEIPT,
    ROUTER,
    SUBMIT,
    WAITING,
    applications_of,
    fill_and_acknowledge,
    phone_code,
    posts_to,
    receipt_value,
    someone,
)
from tests.support.processes import system_of_its_own, wait_until
from tests.support.staff_client import settle

PHONE = "#f-applicant-phone"
PHONE_ERROR = "#f-applicant-phone-error"
SEND_CODE = "#send-code"
CODE = "#f-phone-code"
CODE_ERROR = "#f-phone-code-error"
VERIFY = "#verify-code"
STATUS = "#phone-code-status"
VERIFICATIONS = "/api/v1/phone-verifications"


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    env = {"PHONE_VERIFICATION": "required", "PHONE_CODE_LIFETIME_SECONDS": "60"}
    with system_of_its_own(tmp_path_factory, "phone-code", extra_env=env) as running:
        yield running


@pytest.fixture(scope="module")
def running_system(system):
    """browser.py's ``open_tab`` and conftest's ``staff`` use this module's system."""
    return system


def a_phone():
    """A mobile number no other test here uses: its code SMS is found by it."""
    return "0532 {} {} {}".format(random.randint(200, 999), random.randint(10, 99), random.randint(10, 99))


def digits(phone):
    return phone.replace(" ", "")[1:]


def wrong(code):
    return str((int(code) + 1) % 10 ** 6).zfill(6)


def open_form(open_tab, **options):
    tab = open_tab(**options)
    tab.page.goto("/")
    tab.page.wait_for_selector(SEND_CODE)  # the catalogue says the phone must be proven
    return tab


def fill(page, person, phone, subject="Telefon doğrulamalı başvuru"):
    fill_and_acknowledge(page, person, subject=subject)
    page.fill(PHONE, phone)


def verify(page, system, phone, seen=0):
    """Sends the code, types the one the SMS brought: the phone is proven."""
    page.click(SEND_CODE)
    page.locator(CODE).wait_for()
    page.fill(CODE, phone_code(system, phone, seen=seen))
    page.click(VERIFY)
    page.wait_for_selector(STATUS + ".verified")


def bodies_posted(page, path=APPLICATIONS):
    bodies = []
    page.on("request", lambda request: bodies.append(request.post_data_json)
            if request.method == "POST" and request.url.endswith(path) else None)
    return bodies


# --- the code step, then one application -------------------------------------------------------------

def test_the_code_proves_the_phone_and_the_application_goes_once_with_it(open_tab, staff, system):
    tab = open_form(open_tab)
    page = tab.page
    person, phone = someone(), a_phone()
    fill(page, person, phone)
    assert page.locator(CODE).is_hidden()
    asked = bodies_posted(page, VERIFICATIONS)

    page.click(SEND_CODE)
    page.locator(CODE).wait_for()
    assert asked == [{"phone": phone, "language": "tr"}]
    assert page.evaluate("document.activeElement.id") == "f-phone-code"
    assert page.locator(STATUS).inner_text() == "{} numarasına bir kod gönderdik.".format(phone)
    assert page.locator("#f-phone-code-hint").inner_text() == \
        "6 rakamlı kod 1 dakika geçerlidir; 3 deneme hakkınız var."  # PHONE_CODE_LIFETIME_SECONDS
    code_input = page.locator(CODE)
    assert (code_input.get_attribute("autocomplete"), code_input.get_attribute("inputmode"),
            code_input.get_attribute("maxlength")) == ("one-time-code", "numeric", "6")
    assert page.locator(SEND_CODE).is_hidden()  # a new code is asked for from the step now
    assert page.locator(PHONE).get_attribute("aria-describedby") is None  # the hint on how to begin is gone
    code = phone_code(system, phone)
    tab.screenshots("portal-apply-phone-code-sent")

    page.fill(CODE, wrong(code))
    page.press(CODE, "Enter")  # verifies; does not send the form
    page.locator(CODE_ERROR).wait_for()
    assert page.locator(CODE_ERROR).inner_text() == "kod doğru değil; 2 deneme hakkınız kaldı"
    assert code_input.get_attribute("aria-invalid") == "true"
    assert code_input.get_attribute("aria-describedby").split() == ["f-phone-code-error", "f-phone-code-hint"]
    tab.screenshots("portal-apply-phone-code-wrong")

    page.fill(CODE, code)
    page.click(VERIFY)
    page.wait_for_selector(STATUS + ".verified")
    assert page.locator(STATUS).inner_text().endswith("Cep telefonunuz doğrulandı.")
    assert page.locator("#code-step").is_hidden() and page.locator(SEND_CODE).is_hidden()
    assert page.evaluate("document.activeElement.id") == "phone-code-status"
    assert page.locator(CODE_ERROR).count() == 0
    tab.screenshots("portal-apply-phone-verified")
    kept = page.wait_for_function("() => JSON.parse(sessionStorage.getItem('acikkapi.portal.phone-proof'))")
    verification_id = kept.json_value()["id"]
    assert digits(phone) not in page.evaluate("() => JSON.stringify(sessionStorage).replace(/ /g, '')")  # a digest

    keys, bodies = posts_to(page), bodies_posted(page)
    page.click(SUBMIT)
    page.wait_for_selector(RECEIPT)
    number = receipt_value(page, "Başvuru numarası")
    assert len(keys) == 1 and bodies[0]["phone_verification"] == {"id": verification_id, "code": code}
    assert bodies[0]["applicant"]["phone"] == phone
    (entry,) = applications_of(staff, person)
    assert entry["application_no"] == number
    assert staff.wait_visible(ROUTER, number)["phone_verified"] is True
    wait_until(lambda: system.sms_for(number), timeout=10, what="the received SMS")
    assert page.evaluate("() => sessionStorage.getItem('acikkapi.portal.phone-proof')") is None  # spent

    # the next application proves the phone again; a double click still makes one
    page.click("#new-application")
    assert page.locator(SEND_CODE).is_visible() and page.locator(STATUS).inner_text() == ""
    fill(page, person, phone, subject="İkinci başvuru")
    verify(page, system, phone, seen=1)
    page.dblclick(SUBMIT)
    page.wait_for_function("number => !document.querySelector('#receipt').hidden && "
                           "!document.querySelector('#receipt').textContent.includes(number)", arg=number)
    second = receipt_value(page, "Başvuru numarası")
    assert len(keys) == 2 and keys[1] != keys[0]
    assert bodies[1]["phone_verification"]["id"] != verification_id
    settle(0.5)
    assert {entry["application_no"] for entry in applications_of(staff, person, expected=2)} == {number, second}
    wait_until(lambda: system.sms_for(second), timeout=10, what="the second received SMS")


def test_without_a_verified_phone_nothing_is_sent_and_the_phone_field_says_why(open_tab, system):
    tab = open_form(open_tab)
    page = tab.page
    phone = a_phone()
    fill(page, someone(), phone)
    page.fill("#f-subject", "")
    keys = posts_to(page)

    page.click(SUBMIT)
    page.locator(PHONE_ERROR).wait_for()
    assert page.locator(PHONE_ERROR).inner_text() == \
        "Başvurunuzu göndermeden önce bu numarayı SMS ile gelen kodla doğrulayın."
    assert page.locator("#f-subject-error").inner_text() == "Bu alan gerekli."  # both at once
    assert page.evaluate("document.activeElement.id") == "f-applicant-phone"  # the first of them
    assert page.locator(PHONE).get_attribute("aria-describedby").split() == [
        "f-applicant-phone-error", "f-applicant-phone-hint"]
    tab.screenshots("portal-apply-phone-required")
    page.click("#language-switch")
    assert page.locator(PHONE_ERROR).inner_text() == \
        "Verify this number with the code sent by SMS before sending your application."
    page.click("#language-switch")

    # verified, then another number: the step starts again and the form is stopped again
    page.fill("#f-subject", "Numarası değişen başvuru")
    verify(page, system, phone)
    page.fill(PHONE, a_phone())
    assert page.locator(STATUS).inner_text() == "Numara değişti: yeni numarayı da doğrulamanız gerekir."
    assert page.locator(SEND_CODE).is_visible()
    page.click(SUBMIT)
    page.locator(PHONE_ERROR).wait_for()
    settle(0.5)
    assert keys == []

    # the English page asks for an English SMS
    page.click("#language-switch")
    english = a_phone()
    page.fill(PHONE, english)
    page.click(SEND_CODE)
    page.locator(CODE).wait_for()
    assert phone_code(system, english, language="en")
    assert page.locator(STATUS).inner_text() == "We sent a code to {}.".format(english)


def test_locked_expired_and_too_many_each_ask_for_a_new_code(open_tab, system):
    tab = open_form(open_tab)
    page = tab.page
    phone = a_phone()
    fill(page, someone(), phone)

    # too many requests for this phone or address (the limits are off on this system: the answer is made)
    page.route("**" + VERIFICATIONS, lambda route: route.fulfill(
        status=429, headers={"Retry-After": "600"}, content_type="application/json",
        body=json.dumps({"error": {"code": "rate_limited", "message": "Çok fazla istek / Too many requests"}})))
    page.click(SEND_CODE)
    page.locator(PHONE_ERROR).wait_for()
    assert page.locator(PHONE_ERROR).inner_text() == "Çok sık kod istendi. Lütfen bir süre bekleyip yeniden deneyin."
    page.unroute("**" + VERIFICATIONS)

    page.click(SEND_CODE)
    page.locator(CODE).wait_for()
    assert page.locator(PHONE_ERROR).count() == 0
    code = phone_code(system, phone)
    for left in ("2 deneme hakkınız kaldı", "1 deneme hakkınız kaldı"):
        page.fill(CODE, wrong(code))
        page.click(VERIFY)
        page.wait_for_selector(CODE_ERROR + ":text('{}')".format(left))
    page.fill(CODE, wrong(code))
    page.click(VERIFY)
    page.wait_for_selector(CODE_ERROR + ":text('üç kez')")
    assert page.locator(CODE_ERROR).inner_text() == \
        "Kod üç kez yanlış yazıldı; bu kod artık kullanılamaz. Yeni bir kod isteyin."
    page.fill(CODE, code)  # the right code no longer helps: the page says so without asking
    verifications = posts_to(page, "/api/v1/phone-verifications")
    page.click(VERIFY)
    assert page.locator(CODE_ERROR).inner_text().startswith("Kod üç kez")

    page.click("#resend-code")
    new_code = phone_code(system, phone, seen=1)
    assert page.locator(CODE_ERROR).count() == 0 and page.locator(CODE).input_value() == ""

    # the code's time ran out (an answer made here: this system's codes live a minute)
    page.route("**" + VERIFICATIONS + "/*", lambda route: route.fulfill(
        status=409, content_type="application/json",
        body=json.dumps({"error": {"code": "verification_expired", "message": "süresi doldu / expired"}})))
    page.fill(CODE, new_code)
    page.click(VERIFY)
    page.wait_for_selector(CODE_ERROR + ":text('süresi doldu')")
    assert page.locator(CODE_ERROR).inner_text() == "Bu kodun süresi doldu. Yeni bir kod isteyin."
    page.unroute("**" + VERIFICATIONS + "/*")
    assert verifications == [None]  # the locked one was not tried again; the resend was the one request


# --- one application whatever is lost on the way ----------------------------------------------------

def test_a_lost_answer_then_reload_sends_the_same_proof_with_the_same_key(open_tab, staff, system):
    """The proof is spent by the submission whose answer was lost: the same form after a reload
    carries the same proof (kept for the tab) and so the same body and key, and the server answers
    with the application it made."""
    tab = open_form(open_tab)
    page = tab.page
    person, phone = someone(), a_phone()
    fill(page, person, phone, subject="Cevabı kaybolan başvuru")
    verify(page, system, phone)
    made = []

    def answer_lost(route):
        made.append(route.fetch().json())
        route.abort()

    page.route("**" + APPLICATIONS, answer_lost)
    keys, bodies = posts_to(page), bodies_posted(page)
    page.click(SUBMIT)
    page.wait_for_selector("#application-form .form-status:not(:empty)")
    page.unroute("**" + APPLICATIONS)
    assert len(made) == 1

    page.reload()
    page.wait_for_selector(SEND_CODE)
    fill(page, person, phone, subject="Cevabı kaybolan başvuru")
    page.wait_for_selector(STATUS + ".verified")  # the phone typed again is the one proven
    page.click(SUBMIT)
    page.wait_for_selector(RECEIPT)

    assert keys == [keys[0], keys[0]] and bodies[0] == bodies[1]
    assert receipt_value(page, "Başvuru numarası") == made[0]["application_no"]
    assert len(applications_of(staff, person)) == 1


def test_a_kept_submission_whose_proof_is_refused_comes_back_to_prove_the_phone_again(open_tab, system):
    tab = open_form(open_tab)
    page = tab.page
    phone = a_phone()
    fill(page, someone(), phone, subject="Bağlantısız kalan başvuru")
    verify(page, system, phone)
    tab.context.set_offline(True)
    page.click(SUBMIT)
    page.wait_for_selector(WAITING)
    bodies = bodies_posted(page)
    # the proof ran out while the device had no connection (an answer made here: it lives 30 minutes)
    page.route("**" + APPLICATIONS, lambda route: route.fulfill(
        status=422, content_type="application/json", body=json.dumps({"error": {
            "code": "validation_failed", "message": "Geçersiz / Invalid",
            "fields": {"phone_verification": "doğrulamanın süresi doldu; yeni bir kod isteyin / "
                                             "the verification expired; ask for a new code"}}})))

    tab.context.set_offline(False)
    page.locator(PHONE_ERROR).wait_for(timeout=20000)
    page.wait_for_selector("#application-form", state="visible")
    assert bodies[0]["phone_verification"]["id"] and bodies[0]["phone_verification"]["code"]
    assert page.locator(PHONE_ERROR).inner_text() == "doğrulamanın süresi doldu; yeni bir kod isteyin"
    assert page.locator(PHONE).input_value() == phone
    assert page.locator(SEND_CODE).is_visible() and page.locator(STATUS + ".verified").count() == 0
    assert page.locator("#f-subject").input_value() == "Bağlantısız kalan başvuru"
    page.unroute("**" + APPLICATIONS)


# --- the birth field, where identities are checked ----------------------------------------------------

def test_the_birth_year_or_date_goes_with_the_body_where_the_registry_checks_identities(open_tab):
    tab = open_tab()
    page = tab.page

    def with_registry(route):
        catalogue = route.fetch().json()
        catalogue["requirements"].update(identity_registry=True, phone_verification=False)
        route.fulfill(json=catalogue)

    page.route("**/api/v1/catalog", with_registry)
    page.goto("/")
    year = page.locator("#f-applicant-birth_year")
    year.wait_for()
    assert page.locator(SEND_CODE).count() == 0
    assert page.locator("label[for='f-applicant-birth_year']").inner_text() == "Doğum yılı"
    assert (year.get_attribute("inputmode"), year.get_attribute("autocomplete")) == ("numeric", "bday-year")
    fill_and_acknowledge(page, someone())
    year.fill("1985")

    answers = iter([
        (503, {"error": {"code": "identity_registry_unavailable",
                         "message": "Nüfus kaydı şu an sorulamıyor / The registry cannot be asked now"}}),
        (422, {"error": {"code": "validation_failed", "message": "Geçersiz / Invalid", "fields": {
            path: "kimlik doğrulanamadı / identity not verified" for path in (
                "applicant.national_id", "applicant.first_name", "applicant.last_name", "applicant.birth_year")}}}),
    ])
    sent = []

    def answer(route):
        sent.append(route.request.post_data_json)
        status, body = next(answers)
        route.fulfill(status=status, headers={"Retry-After": "30"}, json=body)

    page.route("**" + APPLICATIONS, answer)
    page.click(SUBMIT)
    page.wait_for_selector("#application-form .form-status:not(:empty)")
    assert sent[0]["applicant"]["birth_year"] == "1985" and "birth_date" not in sent[0]["applicant"]
    assert page.locator("#application-form .form-status").inner_text() == (
        "Kimlik bilgileriniz şu an nüfus kayıtlarından doğrulanamadı; başvurunuz kaydedilmedi. "
        "Lütfen birkaç dakika sonra yeniden gönderin.")

    page.click(SUBMIT)
    page.locator("#f-applicant-birth_year-error").wait_for()
    assert page.locator("#f-applicant-birth_year-error").inner_text() == "kimlik doğrulanamadı"
    assert page.locator(".field-error").count() == 4
    tab.screenshots("portal-apply-birth-year-refused")

    # a foreigner's ID: the whole date instead
    page.fill("#f-applicant-national_id", "99" + someone()[2:])
    assert year.is_hidden()
    page.fill("#f-applicant-birth_date", "1990-04-23")
    assert page.locator("#f-applicant-birth_date").get_attribute("type") == "date"
    page.click("#language-switch")
    assert page.locator("label[for='f-applicant-birth_date']").inner_text() == "Date of birth"
