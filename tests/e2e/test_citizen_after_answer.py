"""After the answer (issue 22, docs/api.md#objection, #feedback), over HTTP against the running
system: the applicant objects once within the window — the application goes back to the unit that
answered, flagged, with a new deadline, the tracking view says objected with the text, an SMS
confirms it — a second objection is 409, the unit's new answer concludes it with a second
"concluded" SMS; each answer is rated once (409 after), and the ratings reach the statistics."""
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.support.processes import sms_text, wait_until
from tests.support.staff_client import routed_application

OBJECTION = "Yanıtta anlatılan sağlık ocağı benim başvurduğum ocak değil; lütfen yeniden bakın."
SECOND_ANSWER = "Başvurduğunuz Çankaya 4 No'lu sağlık ocağının saatleri de uzatıldı."


def post(url, receipt, what, body, **params):
    return requests.post("{}/api/v1/applications/{}/{}".format(url, receipt["application_no"], what),
                         json=dict(body, tracking_code=receipt["tracking_code"]) if body is not None else None,
                         params=params, timeout=15)


def view(api, receipt, **params):
    answer = api.track(receipt["application_no"], receipt["tracking_code"], **params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def answered(staff, api, text="Sağlık ocağının çalışma saatleri uzatıldı."):
    receipt = routed_application(staff)
    assert staff.answer("ankara.health", receipt["application_no"], text=text).status_code == 200
    wait_until(lambda: view(api, receipt)["status"] == "answered", timeout=15, what="tracking has the answer")
    return receipt


def test_an_objection_reopens_the_application_once_and_its_answer_concludes_it(staff, api, running_system):
    receipt = answered(staff, api)
    number = receipt["application_no"]
    assert "objection_until" in view(api, receipt)

    objected = post(running_system.url, receipt, "objection", {"text": OBJECTION}, language="en")
    again = post(running_system.url, receipt, "objection", {"text": OBJECTION + " Tekrar."})

    assert objected.status_code == 201, objected.text
    shown = objected.json()
    assert shown["status"] == "objected" and shown["objection"]["text"] == OBJECTION
    assert shown["timeline"][-1]["status"] == "objected" and "objection_until" not in shown
    assert shown["deadlines"]["answer"]["days_left"] == 7
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_objected"
    assert "once" in again.json()["error"]["message"]

    # back with the unit that answered, flagged, with the objection's deadline
    entry = staff.wait_in_queue("ankara.health", number, status="routed")
    assert entry["objected"] is True and entry["status"] == "routed"
    record = staff.record("ankara.health", number).json()
    assert record["objection"]["text"] == OBJECTION and record["first_answer"]["outcome"] == "positive"
    # the SMS confirms the objection: the number, never the code
    confirmed = wait_until(lambda: [m for m in running_system.sms_for(number) if "itiraz" in sms_text(m)],
                           timeout=15, what="the objection's SMS")
    assert len(confirmed) == 1 and receipt["tracking_code"] not in sms_text(confirmed[0])

    assert staff.answer("ankara.health", number, text=SECOND_ANSWER).status_code == 200
    final = wait_until(lambda: (lambda seen: seen if (seen["objection"] or {}).get("answer") else None)(
        view(api, receipt)), timeout=15, what="tracking has the objection's answer")
    assert final["status"] == "answered" and final["objection"]["answer"]["text"] == SECOND_ANSWER
    assert final["answer"]["text"] != SECOND_ANSWER  # the first answer stays where it was
    concluded = wait_until(lambda: (lambda sent: sent if len(sent) == 2 else None)(
        [m for m in running_system.sms_for(number) if "sonuçlandı" in sms_text(m)]),
        timeout=15, what="a second concluded SMS")
    assert len(concluded) == 2
    assert post(running_system.url, receipt, "objection", {"text": OBJECTION}).status_code == 409


def test_no_objection_before_the_answer_nor_with_a_wrong_code(staff, api, running_system):
    receipt = routed_application(staff)

    early = post(running_system.url, receipt, "objection", {"text": OBJECTION})
    wrong = requests.post("{}/api/v1/applications/{}/objection".format(running_system.url, receipt["application_no"]),
                          json={"tracking_code": "WRONGCODE", "text": OBJECTION}, timeout=15)
    tracked = api.track(receipt["application_no"], "WRONGCODE")
    malformed = requests.post("{}/api/v1/applications/not-a-number/objection".format(running_system.url),
                              json={"tracking_code": "WRONGCODE", "text": OBJECTION}, timeout=15)

    assert early.status_code == 409 and early.json()["error"]["code"] == "not_answered"
    assert (wrong.status_code, wrong.json()) == (404, tracked.json())
    assert malformed.status_code == 404


def test_bad_objections_and_ratings_are_422_naming_the_field(staff, api, running_system):
    receipt = answered(staff, api)

    cases = [("objection", {"text": "kısa"}, "text"), ("objection", {"text": 42}, "text"),
             ("objection", {}, "text"), ("feedback", {"score": 9}, "score"), ("feedback", {"score": "5"}, "score"),
             ("feedback", {"score": 3, "comment": "x" * 1001}, "comment"), ("feedback", {}, "score")]
    for what, body, field in cases:
        answer = post(running_system.url, receipt, what, body)
        assert answer.status_code == 422, (what, body, answer.text)
        assert field in answer.json()["error"]["fields"], (what, body)
    not_json = requests.post("{}/api/v1/applications/{}/feedback".format(running_system.url, receipt["application_no"]),
                             data="score=5", headers={"Content-Type": "text/plain"}, timeout=15)
    assert not_json.status_code in (400, 415)


def test_each_answer_is_rated_once_and_the_ratings_reach_the_statistics(staff, api, running_system):
    receipt = answered(staff, api)
    before = staff.request("GET", "/api/v1/stats", "ankara.router").json()

    rated = post(running_system.url, receipt, "feedback", {"score": 5, "comment": "Hızlı ve açık bir yanıt."})
    twice = post(running_system.url, receipt, "feedback", {"score": 1})

    assert rated.status_code == 201, rated.text
    assert (rated.json()["score"], rated.json()["comment"]) == (5, "Hızlı ve açık bir yanıt.")
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_rated"
    assert view(api, receipt)["answer"]["feedback"]["score"] == 5
    after = staff.request("GET", "/api/v1/stats", "ankara.router").json()
    assert after["satisfaction"]["count"] == before["satisfaction"]["count"] + 1
    assert after["satisfaction"]["distribution"]["5"] == before["satisfaction"]["distribution"]["5"] + 1
    [health] = [row for row in after["satisfaction_by_unit"] if row["unit_id"] == "06-cankaya-health"]
    assert health["count"] >= 1 and 1 <= health["mean"] <= 5
    metrics = text_string_to_metric_families(requests.get(running_system.metrics_url("tracking"), timeout=10).text)
    [ratings] = [family for family in metrics if family.name == "acikkapi_answer_ratings"]
    assert any(sample.labels == {"province": "Ankara", "unit": "06-cankaya-health", "score": "5"} and sample.value >= 1
               for sample in ratings.samples if sample.name.endswith("_total"))


def test_nothing_to_rate_before_an_answer(staff, running_system):
    receipt = routed_application(staff)

    answer = post(running_system.url, receipt, "feedback", {"score": 4})

    assert answer.status_code == 409 and answer.json()["error"]["code"] == "not_answered"
