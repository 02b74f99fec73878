"""The tracking page, the help page and the privacy notice in a real browser (issue 19), against
the running system: an empty form names its required fields in the page's language; a lost
tracking code is sent by SMS only when the number and the national id match, and the page answers
the same either way; the answer prints as an official reply letter and nothing else prints; offline,
the page shows the last view this device saw, marked as such and without the answer's text; the help
page has the leaflet's seven questions and the privacy notice the rights of KVKK article 11 and its
version, in both languages. axe-core on each; screenshots at 1280 and 390 px."""
import re

from messages import message
from tests.support.browser import ARTIFACTS, browser, open_tab  # noqa: F401  (fixtures)
from tests.support.portal import look_up
from tests.support.processes import wait_until
from tests.support.samples import national_id
from tests.support.staff_client import StaffApi, ankara_health_body, routed_application, settle, submit

UNIT = "Çankaya İlçe Sağlık Müdürlüğü"
ANSWER = "Aile hekiminizden 12 Aralık saat 10:00 için randevunuz oluşturuldu; kimliğinizle gitmeniz yeterlidir."
ORGANISATION = "Valilik Açık Kapı Bürosu"  # ORGANISATION_NAME's default: the running system sets none
# the one answer to a lost-code request, whatever the outcome
LOST_CODE_ANSWER = {language: message("intake.tracking_code_requested", language) for language in ("tr", "en")}
QUESTIONS_TR = ["Açık Kapı nedir?", "Açık Kapı neyi amaçlar?", "Açık Kapı nerededir?", "Kimler başvurabilir?",
                "Nasıl başvurabilirim?", "Başvurumdan sonra ne olur?", "Başvurumun sonucunu nasıl öğrenirim?"]
QUESTIONS_EN = ["What is Açık Kapı?", "What does Açık Kapı aim for?", "Where is Açık Kapı?", "Who can apply?",
                "How do I apply?", "What happens after I apply?", "How do I learn the result?"]
# KVKK article 11 (a)–(ğ), a phrase of each
RIGHTS_TR = ["işlenip işlenmediğini öğrenme", "bilgi talep etme", "amacına uygun kullanılıp kullanılmadığını",
             "aktarıldığı üçüncü kişileri bilme", "düzeltilmesini isteme", "silinmesini veya yok edilmesini",
             "üçüncü kişilere bildirilmesini", "otomatik sistemler vasıtasıyla", "zararın giderilmesini"]
RIGHTS_EN = ["whether your personal data is processed", "request information", "used in line with it",
             "third parties in Türkiye or abroad", "its correction", "erasure or destruction",
             "be told of the corrections", "exclusively from analysis", "compensation for damage"]


def api_requests(page, path_part):
    """The URL of every request to the API whose path contains ``path_part``, as the page sends them."""
    sent = []
    page.on("request", lambda request: sent.append(request.url) if "/api/v1/" in request.url
            and path_part in request.url else None)
    return sent


def answered(running_system, first_nine="271834659"):
    """A citizen's application answered by the Çankaya health unit with ANSWER: its receipt."""
    staff = StaffApi(running_system.url)
    body = ankara_health_body()
    body["applicant"]["national_id"] = national_id(first_nine)
    receipt = routed_application(staff, body=body)
    response = staff.answer("ankara.health", receipt["application_no"], text=ANSWER, outcome="positive")
    assert response.status_code == 200, response.text
    return receipt


def switch_language(page, heading):
    """The header's language button; waits for the page's heading in the other language."""
    page.click("#language-switch")
    page.locator("h1:visible", has_text=heading).wait_for()


# --- the tracking form ---------------------------------------------------------------------------

def test_an_empty_tracking_form_names_each_required_field_in_the_pages_language(open_tab):
    tab = open_tab()
    page = tab.page
    lookups = api_requests(page, "/applications/")
    page.goto("/takip")
    page.click("#track-form button[type=submit]")

    page.wait_for_selector("#f-application_no-error")
    assert page.locator("#f-application_no-error").inner_text() == "Bu alan gerekli."
    assert page.locator("#f-tracking_code-error").inner_text() == "Bu alan gerekli."
    assert page.locator("#f-application_no").get_attribute("aria-invalid") == "true"
    status = page.locator("#track-form .form-status").inner_text()
    assert status == "Formda düzeltilmesi gereken alanlar var." and "bulunamadı" not in status
    assert page.evaluate("document.activeElement.id") == "f-application_no"
    tab.check("portal-track-required")

    page.fill("#f-application_no", "2026-000001")  # the code alone is missing now
    page.click("#track-form button[type=submit]")
    page.wait_for_selector("#f-tracking_code-error")
    assert page.locator("#f-application_no-error").count() == 0

    switch_language(page, "Track your application")
    page.fill("#f-application_no", "")
    page.click("#track-form button[type=submit]")
    page.wait_for_selector("#f-application_no-error")
    texts = [page.locator(selector).inner_text() for selector in
             ("#f-application_no-error", "#f-tracking_code-error", "#track-form .form-status")]
    assert texts == ["This field is required.", "This field is required.", "Some fields need correcting."]
    assert lookups == []  # nothing was asked of the server


def test_a_wrong_code_is_not_found_in_the_pages_language(open_tab, running_system):
    number = submit(running_system.url, ankara_health_body())["application_no"]
    tab = open_tab()
    page = tab.page
    page.goto("/takip?no=" + number)
    page.fill("#f-tracking_code", "AAAAAAAA")
    page.click("#track-form button[type=submit]")
    status = page.locator("#track-form .form-status")
    page.wait_for_selector("#track-form .form-status:not(:empty)")
    assert status.inner_text() == "Bu numara ve takip koduyla bir başvuru bulunamadı."
    assert page.locator("#status").is_hidden()
    switch_language(page, "Track your application")
    assert status.inner_text() == "No application matches this number and code."


def test_the_number_comes_from_the_address(open_tab):
    tab = open_tab()
    tab.page.goto("/takip?no=2026-000123")
    assert tab.page.locator("#f-application_no").input_value() == "2026-000123"


# --- a lost tracking code ------------------------------------------------------------------------

def test_a_lost_code_goes_by_sms_only_on_a_match_and_the_page_says_the_same_either_way(open_tab, running_system):
    applicant = national_id("318462795")
    body = ankara_health_body()
    body["applicant"]["national_id"] = applicant
    receipt = submit(running_system.url, body)
    number, code = receipt["application_no"], receipt["tracking_code"]
    (received,) = wait_until(lambda: running_system.sms_for(number), timeout=10, what="the received SMS")

    tab = open_tab()
    page = tab.page
    page.goto("/takip?no=" + number)
    page.click("#lost-code summary")
    assert page.locator("#f-lost-application_no").input_value() == number  # from the address

    page.fill("#f-lost-national_id", "12345678901")  # check digits wrong: the field says so
    page.click("#lost-code-form button[type=submit]")
    page.wait_for_selector("#f-lost-national_id-error")
    assert "kimlik" in page.locator("#f-lost-national_id-error").inner_text().lower()
    assert " / " not in page.locator("#f-lost-national_id-error").inner_text()  # the page's language only
    assert page.locator("#lost-code-result").is_hidden()

    page.fill("#f-lost-national_id", national_id("529174386"))  # valid, but not this applicant's
    page.click("#lost-code-form button[type=submit]")
    page.wait_for_selector("#lost-code-result:not([hidden])")
    refused = page.locator("#lost-code-result").inner_text()
    assert refused == LOST_CODE_ANSWER["tr"]  # in the page's language only
    assert page.locator("#f-lost-national_id").input_value() == ""  # not kept on the page
    assert page.evaluate("document.activeElement.id") == "lost-code-result"
    tab.screenshots("portal-track-lost-code")

    page.fill("#f-lost-national_id", applicant)
    page.click("#lost-code-form button[type=submit]")
    page.wait_for_function("() => !document.querySelector('#lost-code-result').hidden")
    matched = page.locator("#lost-code-result").inner_text()
    assert matched == refused
    assert page.locator("#f-lost-national_id").input_value() == ""

    sent = wait_until(lambda: [sms for sms in running_system.sms_for(number) if sms != received] or None,
                      timeout=10, what="the tracking code's SMS")
    settle(2)  # nothing more arrives: the wrong national id sent nothing, the match one message
    assert len(running_system.sms_for(number)) == 2
    (reminder,) = sent
    assert code in str(reminder)
    storage = page.evaluate("JSON.stringify(Object.assign({}, localStorage, sessionStorage))")
    assert applicant not in storage


def test_the_lost_code_form_opens_from_the_keyboard_and_speaks_english_on_the_english_page(open_tab, running_system):
    number = submit(running_system.url, ankara_health_body())["application_no"]
    tab = open_tab()
    page = tab.page
    page.goto("/takip")
    switch_language(page, "Track your application")
    page.fill("#f-application_no", number)  # typed into the tracking form first
    page.focus("#f-tracking_code")
    page.keyboard.press("Tab")  # the tracking form's button
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id || document.activeElement.parentElement.id") == "lost-code"
    page.keyboard.press("Enter")  # a <details>: opens from the keyboard, the number carried over
    page.wait_for_function("no => document.querySelector('#f-lost-application_no').value === no", arg=number)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-lost-national_id"
    page.keyboard.press("Enter")  # empty: named at its field, nothing sent
    page.wait_for_selector("#f-lost-national_id-error")
    assert page.locator("#f-lost-national_id-error").inner_text() == "This field is required."
    assert page.locator("#f-lost-application_no-error").count() == 0
    page.keyboard.type(national_id("529174386"))
    page.keyboard.press("Enter")
    page.wait_for_selector("#lost-code-result:not([hidden])")
    assert page.locator("#lost-code-result").inner_text() == LOST_CODE_ANSWER["en"]
    tab.check("portal-track-lost-code-en")


# --- the printable answer ------------------------------------------------------------------------

def test_the_answer_prints_as_an_official_letter_and_nothing_else_prints(open_tab, running_system):
    receipt = answered(running_system)
    number = receipt["application_no"]
    tab = open_tab()
    page = tab.page
    look_up(page, number, receipt["tracking_code"], "#answer:not([hidden])")
    assert page.locator("#letter").is_hidden()  # on screen: the page, not the letter
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.click("#print-answer")
    assert page.evaluate("window.printed") == 1

    page.emulate_media(media="print")
    letter = page.locator("#letter")
    assert letter.is_visible()
    text = letter.inner_text()
    for expected in ("T.C.", ORGANISATION, "Açık Kapı Bürosu", "Sayı: " + number, "Konu: Açık Kapı başvurunuz hk.",
                     "Sayın Başvuru Sahibi,", UNIT, ANSWER, "Sonuç: Olumlu", "/takip?no=" + number):
        assert expected in text, expected
    assert re.search(r"Tarih: \d{1,2} (Ocak|Şubat|Mart|Nisan|Mayıs|Haziran|Temmuz|Ağustos|Eylül|Ekim|Kasım|Aralık) "
                     r"\d{4}", text), text
    assert re.search(r"\d{1,2} \w+ \d{4} tarihinde yaptığınız “Talep” türündeki, “Sağlık” konulu", text), text
    assert receipt["tracking_code"] not in text
    for hidden in ("header.site", "footer.site", "#track-form", "#lost-code", "#status", "h1"):
        assert page.locator(hidden).first.is_hidden(), hidden
    tab.screenshot("portal-track-letter-print")
    pdf = page.pdf(path=str(ARTIFACTS / "portal-track-letter.pdf"), format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1  # one A4 page

    page.emulate_media(media="screen")
    switch_language(page, "Track your application")
    page.wait_for_selector("#answer .facts dd:text('Positive')")
    page.emulate_media(media="print")
    english = page.locator("#letter").inner_text()
    for expected in ("REPUBLIC OF TÜRKİYE", ORGANISATION, "Dear Applicant,", "Ref.: " + number, UNIT, ANSWER,
                     "Outcome: Positive"):
        assert expected in english, expected
    assert "Sayın" not in english
    page.emulate_media(media="screen")
    tab.screenshots("portal-track-answer-en")


def test_without_an_answer_there_is_no_letter_and_no_print_button(open_tab, running_system):
    receipt = submit(running_system.url, ankara_health_body())
    tab = open_tab()
    look_up(tab.page, receipt["application_no"], receipt["tracking_code"], "#status dd:text('Alındı')")
    assert tab.page.locator("#print-answer").is_hidden()
    tab.page.emulate_media(media="print")
    assert tab.page.locator("#letter").is_hidden() and tab.page.locator("#status").is_visible()


def test_the_page_shows_who_looked_at_the_personal_data_by_role_and_unit_never_by_name(open_tab, running_system):
    staff = StaffApi(running_system.url)
    receipt = routed_application(staff)  # the router's wait for it opened its record once
    assert staff.record("ankara.health", receipt["application_no"]).status_code == 200
    tab = open_tab()
    page = tab.page
    look_up(page, receipt["application_no"], receipt["tracking_code"], "#access-log li >> nth=0")

    section = page.locator("#access-log")
    assert section.locator("h3").inner_text() == "Kişisel verilerinize kimler erişti?"
    reads = section.locator("li").all_inner_texts()
    assert reads[0].endswith("— Açık Kapı yönlendirme görevlisi, Valilik Açık Kapı bürosu: Başvurunun işlenmesi")
    assert reads[-1].endswith("— Birim görevlisi, {}: Başvurunun işlenmesi".format(UNIT))
    assert section.locator(".access-log-none").is_hidden()
    assert "ankara." not in section.inner_text()  # no officer's username (the accounts are ankara.*)
    tab.screenshots("portal-track-access-log")

    switch_language(page, "Track your application")
    page.wait_for_selector("#access-log li:has-text('Officer of the unit')")
    assert section.locator("h3").inner_text() == "Who has looked at your personal data?"


def test_before_anyone_looked_the_page_says_so_and_both_deadlines_count_their_days(open_tab, running_system):
    receipt = submit(running_system.url, ankara_health_body())
    tab = open_tab()
    page = tab.page
    look_up(page, receipt["application_no"], receipt["tracking_code"], "#access-log:not([hidden])")

    assert page.locator("#access-log .access-log-none").inner_text() == (
        "Henüz hiçbir görevli kişisel verilerinizi görüntülemedi.")
    assert page.locator("#access-log li").count() == 0
    # Açık Kapı's 7 days and Law 3071's 30 (a day fewer only across Turkey's midnight)
    assert re.search(r"\((7|6) gün kaldı\)$", fact(page, "Cevap için son tarih")), fact(page, "Cevap için son tarih")
    assert re.search(r"\((30|29) gün kaldı\)$", fact(page, "Kanuni son tarih"))
    tab.screenshots("portal-track-deadlines")
    switch_language(page, "Track your application")
    page.wait_for_selector("#status dt:text('Legal deadline')")
    assert re.search(r"\((30|29) days left\)$", fact(page, "Legal deadline"))


def fact(page, label):
    """The value of the tracking view's fact ``label``."""
    return page.locator("#status > .facts dt", has_text=label).locator("xpath=following-sibling::dd[1]").inner_text()


# --- offline -------------------------------------------------------------------------------------

def test_offline_the_page_shows_the_last_view_it_saw_without_the_answers_text(open_tab, running_system):
    receipt = answered(running_system, first_nine="462918357")
    number, code = receipt["application_no"], receipt["tracking_code"]
    tab = open_tab(service_workers="allow")
    page = tab.page
    look_up(page, number, code, "#answer:not([hidden])")
    kept = page.evaluate("key => localStorage.getItem(key)", "acikkapi.last-view." + number)
    assert kept and number in kept and "answered" in kept
    assert ANSWER not in kept and code not in kept  # the device may be shared

    # the service worker keeps the page itself: reopened without a connection, it still answers
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    tab.context.set_offline(True)
    try:
        page.goto("/takip?no=" + number)
        page.fill("#f-tracking_code", code)
        page.click("#track-form button[type=submit]")
        page.wait_for_selector("#offline-notice:not([hidden])")
        notice = page.locator("#offline-notice").inner_text()
        assert re.fullmatch(r"Çevrimdışısınız: bu, \d{1,2} \w+ \d{4} \d\d:\d\d itibarıyla gördüğünüz son durumdur\.",
                            notice), notice
        status = page.locator("#status").inner_text()
        assert "Cevaplandı" in status and UNIT in status and "Olumlu" in status
        assert ANSWER not in page.content()
        assert page.locator("#print-answer").is_hidden()
        assert page.locator("#track-form .form-status").inner_text() == ""
        tab.screenshots("portal-track-offline")

        page.fill("#f-application_no", "2026-999999")  # never seen here: nothing to show
        page.click("#track-form button[type=submit]")
        page.wait_for_selector("#track-form .form-status:not(:empty)")
        assert "ulaşılamadı" in page.locator("#track-form .form-status").inner_text()
        assert page.locator("#status").is_hidden()
    finally:
        tab.context.set_offline(False)

    page.fill("#f-application_no", number)
    page.click("#track-form button[type=submit]")
    page.wait_for_selector("#offline-notice[hidden]", state="attached")
    page.wait_for_selector("#answer .answer-text:text('{}')".format(ANSWER))


# --- help and privacy ----------------------------------------------------------------------------

def visible_texts(page, selector):
    return [element.inner_text().strip() for element in page.locator(selector).all() if element.is_visible()]


def test_the_help_page_answers_the_seven_questions_in_both_languages(open_tab):
    tab = open_tab()
    page = tab.page
    page.goto("/yardim")
    assert page.title() == "Yardım: 7 soruda Açık Kapı"
    questions = visible_texts(page, "main section.question > h2")
    assert questions == ["{}. {}".format(n, question) for n, question in enumerate(QUESTIONS_TR, 1)]
    text = page.locator("main").inner_text()
    for fact in ("merkez ilçe kaymakamlıklarında", "en geç 7 gün", "www.acikkapi.gov.tr", "Takip kodumu unuttum"):
        assert fact in text, fact
    assert "What is Açık Kapı?" not in text
    assert page.locator("main a[href='/kvkk']:visible").count() == 1
    assert page.locator("main a[href='/takip']:visible").count() == 1
    assert page.locator("meta[name=description]").get_attribute("content").startswith("Açık Kapı nedir")
    tab.screenshots("portal-help")

    switch_language(page, "Help: Açık Kapı in 7 questions")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.title() == "Help: Açık Kapı in 7 questions"
    assert visible_texts(page, "main section.question > h2") == [
        "{}. {}".format(n, question) for n, question in enumerate(QUESTIONS_EN, 1)]
    assert page.locator("article[data-lang=en]").get_attribute("lang") == "en"
    assert "Açık Kapı nedir?" not in page.locator("main").inner_text()
    tab.screenshots("portal-help-en")


def test_the_privacy_notice_lists_the_article_11_rights_and_its_version_in_both_languages(open_tab):
    tab = open_tab()
    page = tab.page
    page.goto("/kvkk")
    version = page.locator("meta[name=privacy-notice-version]").get_attribute("content")
    assert version == "2026-12"  # PRIVACY_NOTICE_VERSION's default
    assert visible_texts(page, ".notice-version") == [version]
    rights = visible_texts(page, "ul.rights li")
    assert len(rights) == 9 and all(phrase in right for phrase, right in zip(RIGHTS_TR, rights)), rights
    text = page.locator("main").inner_text()
    for part in (ORGANISATION, "Veri sorumlusu", "3071 sayılı", "4982 sayılı", "5. maddesinin 2. fıkrası",
                 "veri işleyen", "yurt dışına aktarılmaz", "30 gün", "Kişisel Verileri Koruma Kurulu", "Şablon"):
        assert part in text, part
    tab.screenshots("portal-privacy")

    switch_language(page, "Privacy Notice (Personal Data Protection)")
    assert page.title() == "Privacy notice (KVKK) · Açık Kapı"
    assert visible_texts(page, ".notice-version") == [version]
    rights = visible_texts(page, "ul.rights li")
    assert len(rights) == 9 and all(phrase in right for phrase, right in zip(RIGHTS_EN, rights)), rights
    assert "Veri sorumlusu" not in page.locator("main").inner_text()
    tab.screenshots("portal-privacy-en")


def test_the_tracking_page_passes_axe_with_the_lost_code_form_open(open_tab):
    tab = open_tab()
    tab.page.goto("/takip")
    tab.page.click("#lost-code summary")
    tab.screenshots("portal-track")
