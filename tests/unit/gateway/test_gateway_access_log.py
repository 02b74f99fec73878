"""GET /api/v1/applications/{no}/access-log (issue 22, docs/api.md#access-log): intake's reads, each
unit named by routing; the same 422 and 404 as tracking."""
import pytest

from common.errors import NotFound
from tests.support.fake_rpc import FakeRpcPool
from tests.unit.gateway.test_gateway import build_app, error_of

NUMBER = "2026-000001"
READS = {"application_no": NUMBER, "language": "tr", "reads": [
    {"at": "2026-03-02T10:20:00+03:00", "role": "router", "role_text": "Açık Kapı yönlendirme görevlisi",
     "unit": "Valilik Açık Kapı bürosu", "purpose": "Başvurunun işlenmesi"},
    {"at": "2026-03-02T11:00:00+03:00", "role": "unit", "role_text": "Birim görevlisi", "unit_id": "34-health",
     "purpose": "Başvurunun işlenmesi"},
    {"at": "2026-03-03T09:00:00+03:00", "role": "unit", "role_text": "Birim görevlisi", "unit_id": "34-gone",
     "purpose": "Başvurunun işlenmesi"},
]}


@pytest.fixture
def rpc():
    return FakeRpcPool(**{"intake.get_access_log": lambda *args, **kwargs: {
        **READS, "reads": [dict(read) for read in READS["reads"]]},
        "routing.unit_names": {"34-health": "İl Sağlık Müdürlüğü"}})


@pytest.fixture
def client(rpc, readiness):
    return build_app(rpc, readiness).test_client()


def test_each_unit_is_named_and_no_id_is_left(client, rpc):
    answer = client.get("/api/v1/applications/{}/access-log?tracking_code=K7M2PQ9X&language=en".format(NUMBER))

    assert answer.status_code == 200
    assert [read["unit"] for read in answer.get_json()["reads"]] == [
        "Valilik Açık Kapı bürosu", "İl Sağlık Müdürlüğü", "Bir birim"]  # a unit gone: "a unit"
    assert "unit_id" not in repr(answer.get_json())
    assert rpc.calls == [("intake", "get_access_log", (NUMBER, "K7M2PQ9X"), {"language": "en"}),
                         ("routing", "unit_names", (["34-gone", "34-health"],), {})]


def test_no_unit_read_asks_routing_nothing(client, rpc):
    rpc.answer("intake.get_access_log", dict(READS, reads=READS["reads"][:1]))

    assert client.get("/api/v1/applications/{}/access-log?tracking_code=K7M2PQ9X".format(NUMBER)).status_code == 200
    assert [call[:2] for call in rpc.calls] == [("intake", "get_access_log")]


def test_a_missing_code_is_422_and_a_malformed_number_or_wrong_code_the_same_404(client, rpc):
    error_of(client.get("/api/v1/applications/{}/access-log".format(NUMBER)), 422, "validation_failed")
    error_of(client.get("/api/v1/applications/12345/access-log?tracking_code=K7M2PQ9X"), 404, "not_found")
    assert rpc.calls == []
    rpc.answer("intake.get_access_log", NotFound("application"))
    error_of(client.get("/api/v1/applications/{}/access-log?tracking_code=WRONG".format(NUMBER)), 404, "not_found")
