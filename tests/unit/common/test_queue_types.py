"""QUEUE_TYPE (issue 21): which arguments each queue is declared with, and which queues a service
declares (common/topology.py, common/queue_types.py). The broker's side:
tests/integration/test_queue_types_on_the_broker.py."""
import pytest
from nameko.rpc import get_rpc_exchange

from common import config, topology
from common.queue_types import declared_queues, mismatch_message

QUORUM_ARGUMENTS = {"x-queue-type": "quorum", "x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"}


def test_classic_is_the_default_and_adds_no_argument(monkeypatch):
    monkeypatch.delenv("QUEUE_TYPE", raising=False)

    queue = topology.handler_queue("intake", "application_received", "routing")

    assert topology.queue_type() == "classic"
    assert queue.queue_arguments == {}
    assert topology.retry_queue(queue.name).queue_arguments == {
        "x-dead-letter-exchange": "", "x-dead-letter-routing-key": queue.name}


def test_quorum_queues_dead_letter_at_least_once(monkeypatch):
    monkeypatch.setenv("QUEUE_TYPE", "Quorum ")
    handler = topology.handler_queue("intake", "application_received", "routing")

    retry = topology.retry_queue(handler.name)

    assert handler.queue_arguments == QUORUM_ARGUMENTS
    assert topology.dead_letter_queue(handler.name).queue_arguments == QUORUM_ARGUMENTS
    assert retry.queue_arguments == dict(QUORUM_ARGUMENTS, **{
        "x-dead-letter-exchange": "", "x-dead-letter-routing-key": handler.name})
    rpc = topology.rpc_queue("intake", get_rpc_exchange({}))
    assert (rpc.name, rpc.routing_key, rpc.durable, rpc.queue_arguments) == (
        "rpc-intake", "intake.*", True, QUORUM_ARGUMENTS)


def test_an_explicit_kind_wins_over_the_setting(monkeypatch):
    monkeypatch.setenv("QUEUE_TYPE", "quorum")

    assert topology.dead_letter_queue("q", "classic").queue_arguments == {}


def test_an_unknown_queue_type_is_refused_naming_the_setting(monkeypatch):
    monkeypatch.setenv("QUEUE_TYPE", "mirrored")

    with pytest.raises(ValueError, match="QUEUE_TYPE must be one of classic, quorum, not 'mirrored'"):
        topology.handler_queue("intake", "application_received", "routing")


def test_a_service_declares_its_rpc_queue_its_handlers_and_its_events_consumers_queues():
    names = [queue.name for queue in declared_queues("routing", get_rpc_exchange({}), "quorum")]

    assert names[0] == "rpc-routing"
    for handled in ("evt-intake-application_received--routing", "evt-intake-applicant_data_erased--routing"):
        assert {handled, handled + ".retry", handled + ".dead"} <= set(names)
    assert "evt-routing-application_routed--tracking.dead" in names  # its relay declares them before publishing
    assert not [name for name in names if name.endswith("--notification") and "-intake-" in name]
    assert [queue.name for queue in declared_queues("routing", get_rpc_exchange({}), "classic")] == names


def test_the_mismatch_says_which_queue_which_types_and_where_the_migration_is_written():
    assert mismatch_message("rpc-intake", "quorum", "classic", "inequivalent arg") == (
        "queue rpc-intake is a classic queue on the broker, but QUEUE_TYPE is quorum: a queue's type never "
        "changes. Drain the service's queues, delete them and start it again, or move their messages with a "
        "shovel: docs/operations.md#changing-the-queue-type")
    assert "RabbitMQ: inequivalent arg 'x-max-length'" in mismatch_message(
        "rpc-intake", "quorum", None, "inequivalent arg 'x-max-length'")


def test_a_cluster_is_listed_as_kombu_s_failover_list_and_named_by_its_first_node(monkeypatch, tmp_path):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SYSTEM_ID", raising=False)
    monkeypatch.setenv("AMQP_URI", "amqp://u:p@rabbit-0:5672/acikkapi")
    single = config.system_id()
    monkeypatch.setenv("AMQP_URI", " amqp://u:p@rabbit-0:5672/acikkapi; amqp://u:p@rabbit-1:5672/acikkapi;")

    assert config.amqp_nodes() == ["amqp://u:p@rabbit-0:5672/acikkapi", "amqp://u:p@rabbit-1:5672/acikkapi"]
    assert config.system_id() == single
