"""The RabbitMQ cluster of issue 21, as the deployment files describe it (no engine needed):
compose's `cluster` profile adds two nodes that deploy/rabbitmq/cluster.conf joins to the first,
the services declare quorum queues in compose and Kubernetes, and the Kubernetes reference
(deploy/k8s-infra/rabbitmq-cluster.yaml) is the cluster the Secret's amqp-uri names, configured
as compose's."""
import re
from pathlib import Path
from urllib.parse import urlsplit

import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parents[2]
NODES = ("rabbitmq", "rabbitmq-2", "rabbitmq-3")
CLUSTER_CONF = "./deploy/rabbitmq/cluster.conf"


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def conf_settings(text):
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return dict(line.split(" = ", 1) for line in lines)


def test_the_cluster_profile_adds_two_nodes_that_the_cluster_file_joins_to_the_first():
    services = compose()["services"]
    settings = conf_settings((ROOT / "deploy" / "rabbitmq" / "cluster.conf").read_text())

    assert [services[node]["hostname"] for node in NODES] == list(NODES)
    assert "profiles" not in services["rabbitmq"]
    assert [services[node]["profiles"] for node in NODES[1:]] == [["cluster"], ["cluster"]]
    listed = sorted(value for key, value in settings.items()
                    if key.startswith("cluster_formation.classic_config.nodes."))
    assert listed == ["rabbit@" + node for node in NODES]
    for node in NODES:
        assert any(volume.startswith(CLUSTER_CONF + ":/etc/rabbitmq/conf.d/") for volume in services[node]["volumes"])
    cookies = {services[node]["environment"][name] for node in NODES
               for name in ("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "RABBITMQ_CTL_ERL_ARGS")}
    assert len(cookies) == 1 and "-setcookie" in cookies.pop()  # one cookie for the nodes and their tools
    assert len({tuple(services[node]["volumes"][:1]) for node in NODES}) == 3  # each node its own data


def test_every_process_declares_quorum_queues_in_compose_and_kubernetes():
    services = compose()["services"]
    for process in ("intake", "routing", "notification", "tracking", "gateway"):
        assert services[process]["environment"]["QUEUE_TYPE"] == "${QUEUE_TYPE:-quorum}", process
    [common] = [document for document in yaml.safe_load_all((ROOT / "deploy" / "k8s" / "config.yaml").read_text())
                if document["kind"] == "ConfigMap" and document["metadata"]["name"] == "acikkapi-common"]
    assert common["data"]["QUEUE_TYPE"] == "quorum"


def test_the_kubernetes_reference_is_the_cluster_the_secret_names_configured_as_compose_s():
    documents = list(yaml.safe_load_all((ROOT / "deploy" / "k8s-infra" / "rabbitmq-cluster.yaml").read_text()))
    [cluster] = [document for document in documents if document["kind"] == "RabbitmqCluster"]
    [secret] = [document for document in yaml.safe_load_all((ROOT / "deploy" / "k8s" / "config.yaml").read_text())
                if document["kind"] == "Secret"]

    assert cluster["spec"]["replicas"] == 3
    host = urlsplit(secret["stringData"]["amqp-uri"]).hostname
    assert host == "{}.{}.svc".format(cluster["metadata"]["name"], cluster["metadata"]["namespace"])
    compose_conf = conf_settings((ROOT / "deploy" / "rabbitmq" / "cluster.conf").read_text())
    shared = {key: value for key, value in compose_conf.items() if not key.startswith("cluster_formation.")}
    assert conf_settings(cluster["spec"]["rabbitmq"]["additionalConfig"]) == shared
    for document in documents:
        if document["kind"] != "RabbitmqCluster":  # the operator's own kind has no schema here
            kubernetes_validate.validate(document, "1.31.0", strict=True)
    [budget] = [document for document in documents if document["kind"] == "PodDisruptionBudget"]
    assert budget["spec"]["selector"]["matchLabels"] == cluster["spec"]["affinity"]["podAntiAffinity"][
        "requiredDuringSchedulingIgnoredDuringExecution"][0]["labelSelector"]["matchLabels"]
    assert re.fullmatch(r"rabbitmq:3\.1[3-9].*", cluster["spec"]["image"])  # membership reconciliation: 3.13+
