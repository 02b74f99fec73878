"""The applicant's side after an answer on the tracking page (issue 22), in a real browser against the
running system: the answer's verification code with its link to /dogrula, also on the printed
letter; the rating (1–5 as radio buttons usable from the keyboard, an optional comment) that
replaces its form once given, stays after a reload, and is refused in a second tab that rated
nothing; the objection (the form while one may be filed, one request however often it is sent) that
turns the page to "objected", then the unit's answer to it (given through the staff API) with its own
code, letter and rating form. axe-core on each state in both languages; screenshots at 1280 and 390 px."""
import re

import requests

from tests.support.browser import browser, open_tab  # noqa: F401  (fixtures)
from tests.support.portal import look_up, someone
from tests.support.processes import wait_until
from tests.support.staff_client import StaffApi, ankara_health_body, routed_application

UNIT = "Çankaya İlçe Sağlık Müdürlüğü"
ANSWER = "Aile hekiminizden 12 Aralık saat 10:00 için randevunuz oluşturuldu; kimliğinizle gitmeniz yeterlidir."
OBJECTION = "Randevu günü sağlık ocağına gittim ama kaydım bulunamadı; sorunum çözülmedi."
OBJECTION_ANSWER = "İtirazınız incelendi: kaydınız düzeltildi ve 19 Aralık saat 09:30 için yeni randevunuz oluşturuldu."
CODE = re.compile(r"^[0-9A-Z]{5}-[0-9A-Z]{5}$")
ANSWER_SHOWN = "#answer:not([hidden])"


def answered(url):
    """A citizen's application (an applicant of its own) answered by the Çankaya health unit with
    ANSWER: (receipt, the staff API)."""
    staff = StaffApi(url)
    body = ankara_health_body()
    body["applicant"]["national_id"] = someone()
    receipt = routed_application(staff, body=body)
    response = staff.answer("ankara.health", receipt["application_no"], text=ANSWER, outcome="positive")
    assert response.status_code == 200, response.text
    return receipt, staff


def posts(page, path_end):
    """Every POST the page sends from now on to an API path ending in ``path_end``."""
    sent = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST"
            and "/api/v1/" in request.url and request.url.split("?")[0].endswith(path_end) else None)
    return sent


def switch_language(page, heading):
    page.click("#language-switch")
    page.locator("h1:visible", has_text=heading).wait_for()


def fact(page, scope, label):
    return page.locator(scope + " > .facts dt", has_text=label).locator("xpath=following-sibling::dd[1]").inner_text()


def api_view(url, number, tracking_code):
    """The tracking view as the API answers it now."""
    response = requests.get("{}/api/v1/applications/{}".format(url, number), params={"tracking_code": tracking_code},
                            timeout=15)
    assert response.status_code == 200, response.text
    return response.json()


def letter_of(page, button):
    """The printed letter's text after ``button`` (its print button) is pressed; the print dialog
    is replaced by a counter."""
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.click(button)
    assert page.evaluate("window.printed") == 1
    page.emulate_media(media="print")
    try:
        return page.locator("#letter").inner_text()
    finally:
        page.emulate_media(media="screen")


# --- the verification code and the rating ---------------------------------------------------------

def test_the_applicant_rates_the_answer_once_and_the_rating_stays(open_tab, running_system):
    receipt, _ = answered(running_system.url)
    number, tracking_code = receipt["application_no"], receipt["tracking_code"]
    tab = open_tab()
    page = tab.page
    look_up(page, number, tracking_code, ANSWER_SHOWN)
    other = open_tab()  # a second tab, looked up before the rating: its form is stale
    look_up(other.page, number, tracking_code, ANSWER_SHOWN)

    # the answer's verification code, linked to the verification page, and on the letter
    verification = page.locator("#answer .verification")
    assert re.fullmatch(r"Doğrulama kodu: [0-9A-Z]{5}-[0-9A-Z]{5} Bu cevabın doğruluğunu denetleyin",
                        " ".join(verification.inner_text().split())), verification.inner_text()
    code = page.locator("#answer .verification-code").inner_text()
    assert CODE.match(code)
    assert page.locator("#answer .verification-link").get_attribute("href") == "/dogrula?kod=" + code
    letter = letter_of(page, "#print-answer")
    for expected in ("Doğrulama kodu: " + code, "/dogrula?kod=" + code, ANSWER, "Açık Kapı başvurunuz hk."):
        assert expected in letter, expected

    # the form: a labelled radio group, nothing chosen yet
    form = page.locator("#answer-rating-form")
    assert form.is_visible() and page.locator("#answer .rating-given").is_hidden()
    assert page.locator("#f-answer-score legend").inner_text() == "Bu cevaptan ne kadar memnun kaldınız?"
    labels = page.locator("#f-answer-score label").all_inner_texts()
    assert labels[0] == "1 – Hiç memnun değilim" and labels[-1] == "5 – Çok memnunum" and len(labels) == 5
    tab.screenshots("portal-track-rating")

    sent = posts(page, "/feedback")
    form.locator("button[type=submit]").click()  # no score: named at the group, nothing sent
    page.wait_for_selector("#f-answer-score-error")
    assert page.locator("#f-answer-score-error").inner_text() == "Lütfen 1 ile 5 arasında bir puan seçin."
    assert page.locator("#f-answer-score").get_attribute("aria-invalid") == "true"
    assert "f-answer-score-error" in page.locator("#f-answer-score").get_attribute("aria-describedby")
    assert sent == []
    tab.check("portal-track-rating-required-1280")

    # the keyboard: the arrows move through the scores
    page.focus("#f-answer-score-1")
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    assert page.locator("#f-answer-score-4").is_checked()
    page.fill("#f-answer-comment", "Randevu hızlı verildi, teşekkürler.")
    page.keyboard.press("Tab")  # the comment's hint and the status line take no focus: the button
    assert page.evaluate("document.activeElement.textContent") == "Değerlendirmeyi gönder"
    page.keyboard.press("Enter")

    given = page.locator("#answer .rating-given")
    given.wait_for()
    assert form.is_hidden()
    assert given.locator(".rating-score").inner_text() == "Değerlendirmeniz: 4/5"
    assert given.locator(".rating-comment").inner_text() == "Yorumunuz: Randevu hızlı verildi, teşekkürler."
    assert page.evaluate("document.activeElement.classList.contains('rating-given')")
    assert len(sent) == 1
    assert api_view(running_system.url, number, tracking_code)["answer"]["feedback"]["score"] == 4
    tab.screenshots("portal-track-rated")

    # a reload asks the server again: the rating is there, the form is not
    page.reload()
    look_up(page, number, tracking_code, "#answer .rating-given:not([hidden])")
    assert page.locator("#answer .rating-score").inner_text() == "Değerlendirmeniz: 4/5"
    assert form.is_hidden()
    switch_language(page, "Track your application")
    page.wait_for_selector("#answer .rating-score:text('Your rating: 4/5')")
    assert page.locator("#answer .rating-comment").inner_text() == "Your comment: Randevu hızlı verildi, teşekkürler."
    tab.screenshots("portal-track-rated-en")

    # the stale tab's rating is refused, the server's reason in its form's status
    other.page.check("#f-answer-score-2")
    other.page.click("#answer-rating-form button[type=submit]")
    other.page.wait_for_selector("#answer-rating-form .form-status:not(:empty)")
    assert other.page.locator("#answer-rating-form .form-status").inner_text() == (
        "Bu yanıtı zaten değerlendirdiniz; her yanıt bir kez değerlendirilebilir.")
    assert api_view(running_system.url, number, tracking_code)["answer"]["feedback"]["score"] == 4


# --- the objection and its answer -----------------------------------------------------------------

def test_the_applicant_objects_and_then_reads_and_rates_the_units_answer_to_it(open_tab, running_system):
    receipt, staff = answered(running_system.url)
    number, tracking_code = receipt["application_no"], receipt["tracking_code"]
    tab = open_tab()
    page = tab.page
    look_up(page, number, tracking_code, ANSWER_SHOWN)
    first_code = page.locator("#answer .verification-code").inner_text()

    offer = page.locator("#objection-offer")
    assert offer.locator("h3").inner_text() == "Yanıta itiraz"
    until = offer.locator(".objection-until").inner_text()
    assert re.search(r"\d{1,2} (Ocak|Şubat|Mart|Nisan|Mayıs|Haziran|Temmuz|Ağustos|Eylül|Ekim|Kasım|Aralık) \d{4} "
                     r"\w+, saat \d\d:\d\d tarihine kadar bir kez itiraz edebilirsiniz", until), until
    assert page.locator("#objection").is_hidden()
    tab.screenshots("portal-track-objection-form")

    sent = posts(page, "/objection")
    page.fill("#f-objection-text", "Olmadı.")  # too short: named at its field, nothing sent
    page.click("#objection-form button[type=submit]")
    page.wait_for_selector("#f-objection-text-error")
    assert page.locator("#f-objection-text-error").inner_text() == "En az 10 karakter olmalı."
    assert sent == []

    page.fill("#f-objection-text", OBJECTION)
    page.dblclick("#objection-form button[type=submit]")  # a double click sends once
    page.wait_for_selector("#objection:not([hidden])")
    assert len(sent) == 1
    assert fact(page, "#status", "Durum") == "İtiraz edildi"
    assert offer.is_hidden()
    objection = page.locator("#objection")
    assert objection.locator("h3").inner_text() == "İtirazınız"
    assert objection.locator(".objection-text").inner_text() == OBJECTION
    assert re.fullmatch(r"\d{1,2} \w+ \d{4} \d\d:\d\d", fact(page, "#objection", "İtiraz tarihi"))
    assert objection.locator(".objection-pending").is_visible()
    assert page.locator("#objection-answer").is_hidden()
    assert page.evaluate("document.activeElement.id") == "objection-heading"
    # the first answer stays, with its code; it can no longer be rated (the objection is the latest word)
    assert page.locator("#answer .answer-text").inner_text() == ANSWER
    assert page.locator("#answer .verification-code").inner_text() == first_code
    assert page.locator("#answer .rating").is_hidden()
    assert "Yanıta itirazınız alındı" in page.locator("#status .timeline li").last.inner_text()
    # the objection's own clock: seven days for Açık Kapı's answer again
    assert re.search(r"\((7|6) gün kaldı\)$", fact(page, "#status", "Cevap için son tarih"))
    tab.screenshots("portal-track-objected")

    page.reload()  # the server's view, not the page's memory
    look_up(page, number, tracking_code, "#objection:not([hidden])")
    assert page.locator("#objection-offer").is_hidden()
    assert page.locator("#objection .objection-text").inner_text() == OBJECTION

    # the unit answers the objection (routing has the application back once the event arrives)
    wait_until(lambda: staff.record("ankara.health", number).json()["status"] == "routed", timeout=10,
               interval=0.2, what="the objection back with the unit")
    response = staff.answer("ankara.health", number, text=OBJECTION_ANSWER, outcome="positive")
    assert response.status_code == 200, response.text

    look_up(page, number, tracking_code, "#objection-answer:not([hidden])")
    box = page.locator("#objection-answer")
    assert box.locator("h4").inner_text() == "İtirazınıza verilen cevap"
    assert box.locator(".answer-text").inner_text() == OBJECTION_ANSWER
    assert fact(page, "#objection-answer", "Sonuç") == "Olumlu"
    assert page.locator("#objection .objection-pending").is_hidden()
    second_code = box.locator(".verification-code").inner_text()
    assert CODE.match(second_code) and second_code != first_code
    assert box.locator(".verification-link").get_attribute("href") == "/dogrula?kod=" + second_code
    assert fact(page, "#status", "Durum") == "Cevaplandı"
    assert page.locator("#answer .rating").is_hidden()  # only the latest answer is rated
    assert page.locator("#objection-answer-rating-form").is_visible()

    letter = letter_of(page, "#print-objection-answer")
    for expected in (OBJECTION_ANSWER, "itirazınız hk.", "yaptığınız itiraz " + UNIT, "Doğrulama kodu: " + second_code,
                     "/dogrula?kod=" + second_code):
        assert expected in letter, expected
    assert ANSWER not in letter
    first_letter = letter_of(page, "#print-answer")  # the first answer prints on its own, with its own code
    assert ANSWER in first_letter and "Doğrulama kodu: " + first_code in first_letter
    assert OBJECTION_ANSWER not in first_letter
    tab.screenshots("portal-track-objection-answered")

    page.check("#f-objection-answer-score-2")
    page.click("#objection-answer-rating-form button[type=submit]")
    page.wait_for_selector("#objection-answer .rating-given:not([hidden])")
    assert page.locator("#objection-answer .rating-score").inner_text() == "Değerlendirmeniz: 2/5"
    assert page.locator("#objection-answer .rating-comment").is_hidden()  # none given
    assert page.locator("#objection-answer-rating-form").is_hidden()
    view = api_view(running_system.url, number, tracking_code)
    assert view["objection"]["answer"]["feedback"]["score"] == 2 and view["answer"]["feedback"] is None

    switch_language(page, "Track your application")
    page.wait_for_selector("#objection-answer .rating-score:text('Your rating: 2/5')")
    assert page.locator("#objection h3").inner_text() == "Your objection"
    assert page.locator("#objection-answer h4").inner_text() == "The answer to your objection"
    assert fact(page, "#status", "Status") == "Answered"
    tab.screenshots("portal-track-objection-answered-en")


def test_the_objection_form_speaks_english_and_the_server_refuses_a_second_objection(open_tab, running_system):
    receipt, _ = answered(running_system.url)
    number, tracking_code = receipt["application_no"], receipt["tracking_code"]
    tab = open_tab()
    other = open_tab()
    page = tab.page
    page.goto("/takip")
    switch_language(page, "Track your application")
    look_up(page, number, tracking_code, "#objection-offer:not([hidden])")
    look_up(other.page, number, tracking_code, "#objection-offer:not([hidden])")
    assert page.locator("#objection-offer h3").inner_text() == "Object to the answer"
    assert "you can object once until" in page.locator("#objection-offer .objection-until").inner_text()
    assert page.locator("#f-answer-score label").first.inner_text() == "1 – Not at all satisfied"
    tab.screenshots("portal-track-objection-form-en")

    other.page.fill("#f-objection-text", OBJECTION)
    other.page.click("#objection-form button[type=submit]")
    other.page.wait_for_selector("#objection:not([hidden])")

    page.fill("#f-objection-text", OBJECTION)  # this tab still offers the form: the server says no
    page.click("#objection-form button[type=submit]")
    page.wait_for_selector("#objection-form .form-status:not(:empty)")
    assert page.locator("#objection-form .form-status").inner_text() == (
        "You have already objected to this answer; an objection can be made once.")
    assert page.locator("#f-objection-text").input_value() == OBJECTION  # kept, not lost
