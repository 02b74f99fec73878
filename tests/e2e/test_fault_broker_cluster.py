"""Losing a RabbitMQ node under load (issue 21): a three-node cluster of private nodes on loopback
(tests/support/broker_cluster.py), the whole system on it with QUEUE_TYPE=quorum and two processes
per service, the first of each connected to node 0 and the second to node 1 (AMQP_URI lists every
node, each process's own first), the gateway's threads spread over the three. Under steady load the
node leading the most queues is stopped and started again (its queues elect new leaders, its
clients move to the next node), then the Erlang VM of the other node holding the most client
connections is killed and started again (every process on it must find a live node by itself).
Nothing is lost or doubled in any store, every application gets exactly one "received" SMS (the
reconciliation checker of the other fault tests), and the clients meet 503s for a few seconds at
most around each loss. The spells are printed, for docs/operations.md#quorum-queues."""
import time

import pytest
from kombu import Connection

from tests.support.broker_cluster import BrokerCluster
from tests.support.load import SteadySubmissions, unavailable_windows
from tests.support.private_broker import RABBITMQ_SERVER
from tests.support.processes import SERVICES, RunningSystem, wait_until
from tests.support.reconciliation import wait_reconciled

RATE = 10  # submissions a second
COUNT = 300  # 30 s of load: the two losses and the returns fit in it
LONGEST_SPELL_SECONDS = 15  # "a few seconds of 503s", with room for a slow machine


@pytest.fixture
def cluster(tmp_path):
    if not RABBITMQ_SERVER.exists():
        pytest.skip("RabbitMQ is not installed here")
    cluster = BrokerCluster(tmp_path / "rabbitmq")
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture
def system(cluster, tmp_path):
    system = RunningSystem(cluster.amqp_uri(0), tmp_path / "system", extra_env={"QUEUE_TYPE": "quorum"})
    try:
        system.start()
        for service in SERVICES:
            system.start_service(service, label=service + "-2", extra_env={"AMQP_URI": cluster.amqp_uri(1)})
        wait_until(lambda: _consumers_of_rpc_queues(cluster) == {service: 2 for service in SERVICES},
                   timeout=90, interval=0.5, what="two processes consuming each service's queue")
        yield system
    finally:
        system.stop()


def _consumers_of_rpc_queues(cluster):
    counts = {}
    with Connection(cluster.amqp_uri(2), connect_timeout=5) as connection:
        for service in SERVICES:
            counts[service] = connection.default_channel.queue_declare("rpc-" + service, passive=True).consumer_count
    return counts


def _wait_for_load(load, more, started_from=None):
    target = (started_from if started_from is not None else load.started) + more
    wait_until(lambda: load.started >= min(target, COUNT), timeout=120, what="{} more submissions".format(more))


def _most(counts, besides=()):
    return max((index for index in range(3) if index not in besides), key=lambda index: counts.get(index, 0))


def test_losing_a_node_under_load_loses_nothing_and_costs_seconds(cluster, system):
    queues = cluster.queues()
    assert queues and {queue["type"] for queue in queues} == {"quorum"}
    assert {len(queue["members"]) for queue in queues} == {3}

    load = SteadySubmissions(system.url, count=COUNT, rate=RATE, give_up_seconds=120).start()
    _wait_for_load(load, 3 * RATE)

    leaders = cluster.leaders()
    stopped = _most(leaders)
    losses = [("stopped", stopped, leaders, time.monotonic())]
    cluster.nodes[stopped].stop()
    _wait_for_load(load, 6 * RATE)
    cluster.nodes[stopped].start()
    wait_until(lambda: len(cluster.running_nodes()) == 3, timeout=60, interval=0.5, what="the node back in the cluster")
    _wait_for_load(load, 3 * RATE)

    connections = cluster.connections()
    killed = _most(connections, besides=(stopped,))
    losses.append(("killed", killed, connections, time.monotonic()))
    cluster.nodes[killed].kill()
    _wait_for_load(load, 6 * RATE)
    cluster.nodes[killed].start()
    wait_until(lambda: len(cluster.running_nodes()) == 3, timeout=60, interval=0.5, what="the node back in the cluster")

    outcomes = load.join(timeout=240)
    report = wait_reconciled(load.told, system.data_dir, system.sms_messages, timeout=120,
                             unanswered=[outcome.key for outcome in outcomes if not outcome.created])
    spells = unavailable_windows(outcomes)
    for (what, node, counts, at), until in zip(losses, [loss[3] for loss in losses[1:]] + [float("inf")]):
        following = [(start - at, end - at) for start, end in spells if at - 1 <= start < until - 1]
        print("node {} {} (leaders or connections by node: {}): {}".format(
            node, what, dict(sorted(counts.items())),
            ", ".join("503s from {:+.1f} s to {:+.1f} s".format(*spell) for spell in following) or "no 503"))

    never_created = [outcome.answers for outcome in outcomes if not outcome.created]
    assert not never_created, "submissions that never got their 201: {}".format(never_created[:5])
    assert len(set(load.told)) == COUNT
    assert report.clean, str(report)
    assert system.exited() == {}, "processes died"
    longest = max((end - start for start, end in spells), default=0.0)
    assert longest <= LONGEST_SPELL_SECONDS, "clients met 503s for {:.1f} s in a row: {}".format(longest, spells)
