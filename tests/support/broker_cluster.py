"""A RabbitMQ cluster of private nodes on loopback (issue 21): three nodes of
tests/support/private_broker.py, each with its own name, ports and data, sharing one Erlang cookie,
joined with ``rabbitmqctl join_cluster``. A test stops, kills and starts its nodes one by one; a
node started again with its data rejoins the cluster by itself.

Timings measured here (RabbitMQ 3.10.8, three nodes on two cores): the nodes start in parallel in
about 9 s, the two joins take about 3.5 s.

    with BrokerCluster(tmp_path) as cluster:
        ... cluster.amqp_uri(first=1) ... cluster.leaders(), cluster.connections() ... cluster.nodes[0].kill() ...
"""
import json
import os
import secrets
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.support.private_broker import PrivateBroker


class BrokerCluster:
    def __init__(self, base_dir, size=3):
        base_dir = Path(base_dir)
        self.nodes = [PrivateBroker(base_dir / "node-{}".format(index)) for index in range(size)]
        cookie = secrets.token_hex(16)
        for node in self.nodes:  # HOME of each node: its cookie, and its CLI's
            path = node.base_dir / ".erlang.cookie"
            path.write_text(cookie)
            os.chmod(path, 0o400)

    def start(self):
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            list(pool.map(lambda node: node.start(), self.nodes))
        first = self.nodes[0]
        for node in self.nodes[1:]:
            node.ctl("stop_app")
            node.ctl("join_cluster", first.node_name)
            node.ctl("start_app")
        return self

    def stop(self):
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            list(pool.map(lambda node: node.stop(), self.nodes))

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def amqp_uri(self, first=0):
        """Every node as kombu's failover list, beginning with node ``first``."""
        order = self.nodes[first:] + self.nodes[:first]
        return ";".join(node.amqp_uri for node in order)

    def queues(self, via=None):
        """``[{name, type, leader, members}]`` of the default vhost, as a running node lists them."""
        node = via or next(node for node in self.nodes if node.is_up())
        return json.loads(node.ctl("list_queues", "name", "type", "leader", "members", "--formatter", "json") or "[]")

    def leaders(self, via=None):
        """How many quorum queues each node (by index) leads."""
        index = {node.node_name: position for position, node in enumerate(self.nodes)}
        return Counter(index[queue["leader"]] for queue in self.queues(via)
                       if queue["type"] == "quorum" and queue.get("leader") in index)

    def connections(self, via=None):
        """How many client connections each node (by index) holds."""
        node = via or next(node for node in self.nodes if node.is_up())
        index = {node.port: position for position, node in enumerate(self.nodes)}
        listed = json.loads(node.ctl("list_connections", "port", "--formatter", "json") or "[]")
        return Counter(index[connection["port"]] for connection in listed if connection["port"] in index)

    def running_nodes(self, via=None):
        node = via or next(node for node in self.nodes if node.is_up())
        return sorted(json.loads(node.ctl("cluster_status", "--formatter", "json"))["running_nodes"])
