"""The verification page (/dogrula, issue 22) in a real browser against the running system: opened from
the tracking page's link, it shows the answer's number, unit, date, the SHA-256 digest of its text,
the signature's check and the history chain's in words; the answer's exact text pasted is the same as
the signed one, a text with one word changed is not; an unknown or malformed code is not found;
the code is read whatever its case and dashes; the answer to an objection says so; no personal data
anywhere. axe-core in both languages; screenshots at 1280 and 390 px."""
import hashlib
import re
import unicodedata

import requests

from tests.support.browser import browser, open_tab  # noqa: F401  (fixtures)
from tests.support.portal import look_up, someone
from tests.support.processes import wait_until
from tests.support.staff_client import StaffApi, ankara_health_body, routed_application

UNIT = "Çankaya İlçe Sağlık Müdürlüğü"
# two lines: pasted with other line ends and trailing spaces it is still the same text
ANSWER = ("Aile hekiminizden 12 Aralık saat 10:00 için randevunuz oluşturuldu.\n"
          "Randevuya kimliğinizle gitmeniz yeterlidir.")
CHANGED = ANSWER.replace("12 Aralık", "13 Aralık")
OBJECTION_ANSWER = "İtirazınız incelendi: yeni randevunuz 19 Aralık saat 09:30 için oluşturuldu."
APPLICANT = {"first_name": "Zehra", "last_name": "Karataş", "phone": "0532 987 65 43"}
RESULT = "#result:not([hidden])"
NOT_FOUND = ("Bu doğrulama koduyla verilmiş bir cevap bulunamadı. Kodu cevap yazısındaki gibi yazdığınızı "
             "denetleyin.")


def answered(url, text=ANSWER):
    """An application answered by the Çankaya health unit with ``text``: (receipt, national id, staff)."""
    staff = StaffApi(url)
    body = ankara_health_body()
    person = someone()
    body["applicant"].update(APPLICANT, national_id=person)
    receipt = routed_application(staff, body=body)
    response = staff.answer("ankara.health", receipt["application_no"], text=text, outcome="positive")
    assert response.status_code == 200, response.text
    return receipt, person, staff


def switch_language(page, heading):
    page.click("#language-switch")
    page.locator("h1:visible", has_text=heading).wait_for()


def fact(page, label):
    label = re.compile("^" + re.escape(label) + "$")
    return page.locator("#result .facts dt", has_text=label).locator("xpath=following-sibling::dd[1]").inner_text()


def verify(page, code):
    """Types ``code`` into the page's form and waits for its result or its refusal."""
    page.fill("#f-code", code)
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector(RESULT + ", #verify-form .form-status:not(:empty)")


def compare(page, text):
    page.fill("#f-text", text)
    page.click("#compare-form button[type=submit]")
    page.wait_for_selector("#compare-result:not([hidden])")
    return page.locator("#compare-result").inner_text()


def test_the_page_opened_from_the_tracking_page_shows_a_valid_signature_and_compares_a_text(open_tab, running_system):
    receipt, person, _ = answered(running_system.url)
    tab = open_tab()
    page = tab.page
    look_up(page, receipt["application_no"], receipt["tracking_code"], "#answer .verification:not([hidden])")
    code = page.locator("#answer .verification-code").inner_text()
    page.click("#answer .verification-link")
    page.wait_for_selector(RESULT)  # the code from the address, checked at once

    assert page.url.endswith("/dogrula?kod=" + code)
    assert page.title() == "Cevap doğrulama · Açık Kapı"
    assert page.locator("#f-code").input_value() == code
    assert page.evaluate("document.activeElement.id") == "result-heading"
    signature = page.locator("#signature-check")
    assert signature.inner_text().replace("\n", " ") == "✓ İmza geçerli: cevap, imzalandığı andan beri değiştirilmemiş."
    assert "check-ok" in signature.get_attribute("class")
    assert page.locator("#history-check").inner_text().replace("\n", " ").startswith("✓ Başvuru geçmişi bütün")
    assert fact(page, "Başvuru numarası") == receipt["application_no"]
    assert fact(page, "Cevabı veren birim") == UNIT
    assert re.fullmatch(r"\d{1,2} \w+ \d{4} \d\d:\d\d", fact(page, "Cevap tarihi"))
    assert fact(page, "Cevap türü") == "Başvuruya verilen cevap"
    digest = hashlib.sha256(unicodedata.normalize("NFC", ANSWER).encode()).hexdigest()
    assert fact(page, "Yanıt metninin SHA-256 özeti") == digest
    assert fact(page, "İmza algoritması") == "Ed25519"
    keys = requests.get(running_system.url + "/api/v1/verify/keys", timeout=15).json()["keys"]
    assert fact(page, "Anahtar kimliği") in {key["key_id"] for key in keys}
    assert page.locator("a[href='/api/v1/verify/keys']").inner_text() == "Açık anahtarlar (JSON)"
    # nothing personal: not the applicant, not the tracking code, not even the answer's text
    text = page.locator("body").inner_text()
    for personal in (person, APPLICANT["first_name"], APPLICANT["last_name"], "532 987", receipt["tracking_code"],
                     "randevunuz oluşturuldu"):
        assert personal not in text, personal
    tab.screenshots("portal-verify")

    # the text as the applicant may hold it: other line ends, spaces left at a line's end
    assert compare(page, ANSWER.replace("\n", "  \r\n") + "\n") == "✓\nMetin imzalı yanıtla aynı."
    assert page.evaluate("document.activeElement.id") == "compare-result"
    tab.screenshots("portal-verify-match")
    result = compare(page, CHANGED)
    assert result.startswith("✗\nMetin imzalı yanıtla AYNI DEĞİL"), result
    assert "check-bad" in page.locator("#compare-result").get_attribute("class")
    assert page.locator("#signature-check").inner_text().startswith("✓")  # the signed answer is still intact
    tab.screenshots("portal-verify-differs")

    switch_language(page, "Verify an answer")
    assert page.title() == "Verify an answer · Açık Kapı"
    signed = "Signature valid: the answer has not been altered since it was signed."
    assert page.locator("#signature-check").inner_text().endswith(signed)
    assert "Application history intact" in page.locator("#history-check").inner_text()
    assert "The text is NOT the same as the signed answer" in page.locator("#compare-result").inner_text()
    assert fact(page, "SHA-256 digest of the answer's text") == digest
    assert fact(page, "Answer to") == "The application"
    tab.screenshots("portal-verify-en")
    assert "is the same" in compare(page, ANSWER)


def test_an_unknown_or_malformed_code_is_not_found_in_the_pages_language(open_tab):
    tab = open_tab()
    page = tab.page
    page.goto("/dogrula")
    assert page.locator("#result").is_hidden()
    page.click("#verify-form button[type=submit]")  # empty: named at its field, nothing asked
    page.wait_for_selector("#f-code-error")
    assert page.locator("#f-code-error").inner_text() == "Bu alan gerekli."

    status = page.locator("#verify-form .form-status")
    for code in ("AAAAA-AAAAA", "bu bir kod değil"):
        verify(page, code)
        assert status.inner_text() == NOT_FOUND, code
        assert page.locator("#result").is_hidden()
    tab.screenshots("portal-verify-not-found")

    switch_language(page, "Verify an answer")
    assert status.inner_text().startswith("No answer was given with this verification code.")
    tab.screenshots("portal-verify-not-found-en")


def test_the_code_is_read_whatever_its_case_and_dashes_and_an_objections_answer_says_so(open_tab, running_system):
    receipt, _, staff = answered(running_system.url)
    number, tracking_code = receipt["application_no"], receipt["tracking_code"]
    track = "{}/api/v1/applications/{}".format(running_system.url, number)
    first_code = wait_until(lambda: requests.get(track, params={"tracking_code": tracking_code}, timeout=15)
                            .json().get("answer"), timeout=10, what="the answer tracked")["verification_code"]
    response = requests.post(track + "/objection", json={"tracking_code": tracking_code,
                                                         "text": "Randevu günü kaydım bulunamadı."}, timeout=15)
    assert response.status_code == 201, response.text
    wait_until(lambda: staff.record("ankara.health", number).json()["status"] == "routed", timeout=10,
               interval=0.2, what="the objection back with the unit")
    assert staff.answer("ankara.health", number, text=OBJECTION_ANSWER).status_code == 200
    second_code = wait_until(lambda: (requests.get(track, params={"tracking_code": tracking_code}, timeout=15)
                                      .json()["objection"] or {}).get("answer"), timeout=10,
                             what="the objection's answer tracked")["verification_code"]

    tab = open_tab()
    page = tab.page
    page.goto("/dogrula")
    verify(page, " " + second_code.lower().replace("-", " ") + " ")
    assert fact(page, "Doğrulama kodu") == second_code
    assert page.locator("#f-code").input_value() == second_code  # written back as printed
    assert page.url.endswith("/dogrula?kod=" + second_code)  # a reload shows the same
    assert fact(page, "Cevap türü") == "İtiraza verilen cevap"
    assert page.locator("#signature-check").inner_text().startswith("✓")
    assert page.locator("#history-check").inner_text().replace("\n", " ").startswith("✓ Başvuru geçmişi bütün")
    assert "aynı" in compare(page, OBJECTION_ANSWER)
    tab.check("portal-verify-objection-1280")

    verify(page, first_code.replace("-", ""))  # the first answer, objected to since, still verifies
    page.wait_for_function("code => document.querySelector('#result .code')?.textContent === code", arg=first_code)
    assert fact(page, "Cevap türü") == "Başvuruya verilen cevap"
    assert page.locator("#compare-result").is_hidden()  # the earlier comparison was of the other answer
    assert "AYNI DEĞİL" in compare(page, OBJECTION_ANSWER)
