"""The fake Verimor pushing delivery reports by itself (``auto_report_seconds``), batched as Verimor
pushes them, into a loopback sink; what notification's Verimor client reads from those pushes."""
import json

import pytest
import requests

from services.notification.providers import build_provider
from tests.fakes._base import argument_parser
from tests.fakes.verimor_server import FakeVerimor
from tests.support.processes import wait_until

USERNAME, PASSWORD = "908501234567", "api-secret"
ROUND = 0.05


def send(fake, *ids, text="Başvurunuz alındı."):
    """One send.json with a message per id (each its own number), as one campaign."""
    body = {"username": USERNAME, "password": PASSWORD, "source_addr": "ACIKKAPI",
            "messages": [{"msg": text, "dest": "90532123{:04d}".format(n), "id": message_id}
                         for n, message_id in enumerate(ids)]}
    answer = requests.post(fake.url + "/v2/send.json", json=body, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.text


def state(fake):
    return requests.get(fake.url + "/_fake/auto-report", timeout=5).json()


def parsed(sink):
    provider = build_provider({"SMS_PROVIDER": "verimor", "VERIMOR_API_URL": "http://127.0.0.1:9",
                               "VERIMOR_USERNAME": USERNAME, "VERIMOR_PASSWORD": PASSWORD})
    return [[(r.message_id, r.provider_message_id, r.state) for r in provider.parse_delivery_report(request)]
            for request in sink.callback_requests()]


@pytest.fixture
def callback(sink):
    return sink.url + "/api/v1/sms/callbacks/verimor/t"


def test_without_the_option_the_fake_pushes_nothing_by_itself(sink, callback):
    with FakeVerimor(USERNAME, PASSWORD, callback_url=callback) as fake:
        send(fake, "m-1")
        wait_until(lambda: fake.messages, 5, what="the send recorded")
        assert state(fake) == {"seconds": None, "due": 1, "pushed": 0, "refused": 0, "posts": 0,
                               "failed_posts": 0, "rounds": 0}
    assert sink.requests == []


def test_the_messages_of_a_round_go_as_arrays_of_at_most_the_batch(sink, callback):
    with FakeVerimor(USERNAME, PASSWORD, callback_url=callback, auto_report_seconds=ROUND,
                     auto_report_batch=2) as fake:
        campaign = send(fake, "m-1", "m-2", "m-3")
        wait_until(lambda: state(fake)["pushed"] == 3, 5, interval=0.02, what="three reports pushed")

        assert parsed(sink) == [[("m-1", campaign, "delivered"), ("m-2", campaign, "delivered")],
                                [("m-3", campaign, "delivered")]]
        assert [message["status"] for message in fake.messages] == ["DELIVERED"] * 3
        assert state(fake)["due"] == 0

        later = send(fake, "m-4", text="Başvurunuz yönlendirildi.")
        wait_until(lambda: state(fake)["pushed"] == 4, 5, interval=0.02, what="the later message's report")
        assert parsed(sink)[2:] == [[("m-4", later, "delivered")]]  # each message is reported once


def test_a_repeated_text_is_reported_as_verimor_ends_it(sink, callback):
    with FakeVerimor(USERNAME, PASSWORD, callback_url=callback, auto_report_seconds=ROUND) as fake:
        send(fake, "m-1")
        send(fake, "m-2")  # the same text to the same number on the same day: DOUBLE_SEND_ERROR
        wait_until(lambda: state(fake)["pushed"] == 2, 5, interval=0.02, what="two reports pushed")

    statuses = [report["status"] for request in sink.requests for report in json.loads(request["body"])]
    assert statuses == ["DELIVERED", "DOUBLE_SEND_ERROR"]


def test_a_failed_push_is_tried_again_at_a_later_round(sink, callback):
    sink.answer_status = 503
    with FakeVerimor(USERNAME, PASSWORD, callback_url=callback, auto_report_seconds=ROUND) as fake:
        campaign = send(fake, "m-1")
        wait_until(lambda: state(fake)["failed_posts"] >= 2, 5, interval=0.02, what="two failed posts")
        assert state(fake)["pushed"] == 0 and state(fake)["due"] == 1

        sink.answer_status = 200
        wait_until(lambda: state(fake)["pushed"] == 1, 5, interval=0.02, what="the push taken")
        posts = len(sink.requests)
        rounds = state(fake)["rounds"]
        wait_until(lambda: state(fake)["rounds"] >= rounds + 3, 5, interval=0.02, what="three more rounds")

    assert posts >= 3 and len(sink.requests) == posts  # nothing after the post that was taken
    assert all(reports == [("m-1", campaign, "delivered")] for reports in parsed(sink))


def test_a_refused_push_is_not_tried_again(sink, callback):
    sink.answer_status = 403
    with FakeVerimor(USERNAME, PASSWORD, callback_url=callback, auto_report_seconds=ROUND) as fake:
        send(fake, "m-1")
        wait_until(lambda: state(fake)["refused"] == 1, 5, interval=0.02, what="the push refused")
        rounds = state(fake)["rounds"]
        wait_until(lambda: state(fake)["rounds"] >= rounds + 3, 5, interval=0.02, what="three more rounds")

        assert len(sink.requests) == 1
        assert state(fake)["due"] == 0 and state(fake)["posts"] == 1


def test_a_poller_can_ask_only_for_the_messages_it_has_not_read(sink, callback):
    with FakeVerimor(USERNAME, PASSWORD, callback_url=callback) as fake:
        send(fake, "m-1", "m-2", "m-3")

        newer = requests.get(fake.url + "/_fake/messages?since=2", timeout=5).json()
        refused = requests.get(fake.url + "/_fake/messages?since=-1", timeout=5)

    assert [message["message_id"] for message in newer] == ["m-3"]
    assert refused.status_code == 400


def test_the_command_line_option_is_seconds_and_off_unless_given():
    assert argument_parser("fake").parse_args([]).auto_report is None
    assert argument_parser("fake").parse_args(["--auto-report", "0.5"]).auto_report == 0.5


def test_a_round_length_that_is_not_positive_is_refused():
    with pytest.raises(ValueError):
        FakeVerimor(USERNAME, PASSWORD, auto_report_seconds=0)
