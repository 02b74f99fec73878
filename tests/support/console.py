"""Steps of the staff console's browser tests that more than one page needs: the desk's receipt,
the queue (loaded, searched, its rows and tab counts), the keyboard alone (tabbing to a control,
choosing in a select, signing in), an Open311 request made with a client key, and what a
service's embedded store holds about an application (read off its file, as the erasure tests do).

Used by ``tests/e2e/test_console_day.py``; the other console modules keep local copies of some of
these steps that could move here."""
from pathlib import Path

import requests

from common.storage import connect
from tests.support.samples import PASSWORD

# --- pages -------------------------------------------------------------------------------------


def receipt_value(page, label):
    """The value next to ``label`` (its Turkish text) in an application receipt."""
    return page.locator("#receipt dt", has_text=label).locator("xpath=following-sibling::dd[1]").inner_text()


def wait_queue_loaded(page):
    """The queue has drawn its rows and is not waiting for an answer."""
    page.wait_for_selector("#queue tbody tr")
    page.wait_for_selector("#queue:not([aria-busy])")


def search_queue(page, q):
    """Types ``q`` in the queue's search box, sends it with Enter and waits for the list."""
    page.fill("#f-q", q)
    page.press("#f-q", "Enter")
    page.wait_for_function("q => new URLSearchParams(location.search).get('q') === q", arg=q)
    wait_queue_loaded(page)


def queue_numbers(page):
    """The application numbers of the queue's rows, in order."""
    return [row.get_attribute("data-application-no")
            for row in page.locator("#queue tbody tr[data-application-no]").all()]


def tab_counts(page):
    """{status tab: the count it shows}"""
    return {link.get_attribute("data-status"): int(link.locator(".count").inner_text())
            for link in page.locator("#status-tabs a").all()}


def wait_for_address(page, address):
    """Waits until the page is at ``address`` (path and query string, exactly)."""
    page.wait_for_function("address => location.pathname + location.search === address", arg=address)


# --- the keyboard alone ------------------------------------------------------------------------

def focused(page, selector):
    return page.evaluate("s => Boolean(document.activeElement && document.activeElement.matches(s))", selector)


def press_tab_until(page, selector, limit=80, key="Tab"):
    """Presses ``key`` (Tab, or Shift+Tab) until the element ``selector`` has focus; fails after
    ``limit`` presses."""
    for _ in range(limit):
        if focused(page, selector):
            return
        page.keyboard.press(key)
    raise AssertionError("the keyboard never reached " + selector)


def choose_with_keyboard(page, value, limit=120):
    """In the focused (closed) select, moves with the arrow keys to the option ``value``: Home to
    the first option, then ArrowDown until it is chosen (Chromium on Linux changes a closed select's
    value with the arrows, firing ``change``, without opening its list)."""
    assert page.evaluate("document.activeElement.tagName") == "SELECT", "no select has focus"
    if page.evaluate("document.activeElement.value") == value:
        return
    page.keyboard.press("Home")
    for _ in range(limit):
        if page.evaluate("document.activeElement.value") == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError("the arrow keys never reached the option " + value)


def sign_in_with_keyboard(page, username, lands_on, password=PASSWORD):
    """The console's sign-in page, done with Tab, typing and Enter; waits for ``lands_on`` (path
    and query string)."""
    page.goto("/konsol")
    press_tab_until(page, "#f-username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    wait_for_address(page, lands_on)


# --- Open311 -----------------------------------------------------------------------------------

def open311_request(url, api_key):
    """POSTs an Ankara/Çankaya health request with ``api_key`` to the Open311 endpoint; the answer."""
    return requests.post(url + "/open311/v2/requests.json", timeout=15, data={
        "api_key": api_key, "jurisdiction_id": "ankara.gov.tr", "service_code": "health",
        "first_name": "Ayşe", "last_name": "Yılmaz", "phone": "0532 123 45 67",
        "description": "Sağlık ocağından iki haftadır randevu alamıyorum.",
        "attribute[kind]": "complaint", "attribute[district]": "Çankaya",
        "attribute[subject]": "Sağlık ocağı randevusu", "attribute[national_id]": "10000000146"})


# --- the stores --------------------------------------------------------------------------------

def stored_documents(data_dir, service, collection, application_no):
    """Every document of ``service``'s ``collection`` naming the application, read off the service's
    embedded store file in ``data_dir`` (while the service runs: the engine is SQLite)."""
    path = Path(data_dir) / "{}.db".format(service)
    client = connect("sqlite:///" + str(path.resolve()))
    try:
        return list(client.get_database(service).get_collection(collection).find(
            {"$or": [{"_id": application_no}, {"application_no": application_no}]}))
    finally:
        client.close()
