"""The gateway's connections to a cluster (gateway/amqp.py): every node, in turn."""
from gateway.amqp import ThreadConnections, connection_parameters

NODES = "amqp://u:p@rabbit-0:5672/v;amqp://u:p@rabbit-1:5673/v;amqp://u:p@rabbit-2:5674/v"


def test_every_node_of_the_failover_list_is_a_fast_failing_parameter_set():
    parameters = connection_parameters(NODES)

    assert [(each.host, each.port, each.virtual_host) for each in parameters] == [
        ("rabbit-0", 5672, "v"), ("rabbit-1", 5673, "v"), ("rabbit-2", 5674, "v")]
    assert {(each.connection_attempts, each.blocked_connection_timeout) for each in parameters} == {(1, 5.0)}


def test_each_new_connection_starts_one_node_further_along():
    connections = ThreadConnections(NODES)

    orders = [[each.port for each in connections._nodes_in_turn()] for _ in range(4)]

    assert orders == [[5672, 5673, 5674], [5673, 5674, 5672], [5674, 5672, 5673], [5672, 5673, 5674]]


def test_a_single_broker_is_one_node():
    assert [each.port for each in connection_parameters("amqp://guest:guest@127.0.0.1:5672/")] == [5672]
