"""deploy/k8s/*.yaml, checked offline: every document is valid against the Kubernetes 1.31 schemas
(kubernetes-validate, strict: an unknown field is an error), and the documents agree with each
other and the Procfile: a Deployment per process with the Procfile's command, probes,
requests and limits; every HorizontalPodAutoscaler and PodDisruptionBudget points at a Deployment
that exists and whose pods its selector matches; every ConfigMap and Secret a Deployment reads
exists (with the key it reads); every environment name is in the environment table of
docs/configuration.md."""
import copy
import re
import shlex
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.31.0"
SERVICES = ("intake", "routing", "notification", "tracking")
PROCESSES = SERVICES + ("gateway",)
AUTOSCALED = ("gateway", "notification")


def load_documents():
    documents = []
    for path in sorted(K8S.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if document:
                documents.append((path.name, document))
    return documents


DOCUMENTS = load_documents()


def of_kind(kind):
    return {document["metadata"]["name"]: document for _, document in DOCUMENTS if document["kind"] == kind}


def containers(deployment):
    return deployment["spec"]["template"]["spec"]["containers"]


def documented_variables():
    """The backquoted names of the "## Environment" section of docs/configuration.md, up to the next heading."""
    page = (ROOT / "docs" / "configuration.md").read_text()
    section = page[page.index("\n## Environment\n"):]
    table = section[:section.index("\n## ", 1)]
    return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))


def procfile():
    lines = (ROOT / "Procfile").read_text().splitlines()
    return {name: shlex.split(command) for name, command in (line.split(": ", 1) for line in lines if line)}


def test_there_are_manifests():
    assert len(DOCUMENTS) >= 15


@pytest.mark.parametrize("document", [document for _, document in DOCUMENTS],
                         ids=["{}:{}/{}".format(name, doc["kind"], doc["metadata"]["name"]) for name, doc in DOCUMENTS])
def test_every_document_is_valid_against_the_kubernetes_schemas(document):
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_schema_check_is_not_vacuous():
    deployment = copy.deepcopy(of_kind("Deployment")["gateway"])
    deployment["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    deployment = copy.deepcopy(of_kind("Deployment")["gateway"])
    containers(deployment)[0]["livenessProbes"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_everything_is_in_the_namespace_the_manifests_create():
    assert set(of_kind("Namespace")) == {"acikkapi"}
    for _, document in DOCUMENTS:
        if document["kind"] != "Namespace":
            assert document["metadata"].get("namespace") == "acikkapi", document["metadata"]["name"]


def test_a_deployment_per_process_with_the_procfile_command():
    deployments = of_kind("Deployment")
    commands = procfile()
    for name in PROCESSES:
        assert containers(deployments[name])[0]["command"] == commands[name], name


@pytest.mark.parametrize("name", sorted(of_kind("Deployment")))
def test_every_deployment_has_probes_requests_and_limits(name):
    deployment = of_kind("Deployment")[name]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    for container in containers(deployment):
        assert container.get("livenessProbe") and container.get("readinessProbe"), name
        resources = container.get("resources", {})
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(resources.get(bound, {})), "{}: {}".format(name, bound)


def test_services_are_ready_when_they_answer_ping_and_alive_when_their_metrics_answer():
    deployments = of_kind("Deployment")
    for name in SERVICES:
        container = containers(deployments[name])[0]
        assert container["readinessProbe"]["exec"]["command"][:5] == ["python", "-m", "common.health_check",
                                                                      name, "--rpc"]
        port = {port["name"]: port["containerPort"] for port in container["ports"]}["metrics"]
        assert container["livenessProbe"]["httpGet"] == {"path": "/metrics", "port": "metrics"}
        env = {variable["name"]: variable.get("value") for variable in container["env"]}
        assert env["METRICS_PORT"] == str(port)


def test_each_service_reads_its_own_database_and_the_gateway_none():
    deployments = of_kind("Deployment")
    for name in SERVICES:
        env = {variable["name"]: variable for variable in containers(deployments[name])[0]["env"]}
        assert env["MONGO_URI"]["valueFrom"]["secretKeyRef"]["key"] == "{}-mongo-uri".format(name)
    gateway_env = {variable["name"] for variable in containers(deployments["gateway"])[0]["env"]}
    assert "MONGO_URI" not in gateway_env and "SECRET_KEY" in gateway_env


def test_autoscalers_target_existing_deployments_of_the_gateway_and_notification():
    deployments = of_kind("Deployment")
    autoscalers = of_kind("HorizontalPodAutoscaler")
    assert {hpa["spec"]["scaleTargetRef"]["name"] for hpa in autoscalers.values()} >= set(AUTOSCALED)
    for name, hpa in autoscalers.items():
        target = hpa["spec"]["scaleTargetRef"]
        assert target["kind"] == "Deployment" and target["name"] in deployments, name
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        assert deployments[target["name"]]["spec"]["replicas"] >= hpa["spec"]["minReplicas"]


def test_disruption_budgets_select_the_pods_of_a_deployment_with_room_to_evict():
    deployments = of_kind("Deployment")
    budgets = of_kind("PodDisruptionBudget")
    covered = set()
    for name, budget in budgets.items():
        selector = budget["spec"]["selector"]["matchLabels"]
        matched = [deployment_name for deployment_name, deployment in deployments.items()
                   if selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()]
        assert len(matched) == 1, "{} selects {}".format(name, matched)
        covered.update(matched)
        # minAvailable below the replicas, or a drain could never evict a pod
        assert budget["spec"]["minAvailable"] < deployments[matched[0]]["spec"]["replicas"], name
    assert set(PROCESSES) <= covered


def test_services_select_pods_that_exist_on_ports_they_expose():
    deployments = of_kind("Deployment")
    for name, service in of_kind("Service").items():
        selector = service["spec"]["selector"]
        matched = [deployment for deployment in deployments.values()
                   if selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()]
        assert len(matched) == 1, name
        port_names = {port["name"] for container in containers(matched[0]) for port in container.get("ports", [])}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in port_names, "{}: {}".format(name, port["targetPort"])


def test_the_ingress_reaches_the_gateway_service():
    services = of_kind("Service")
    for ingress in of_kind("Ingress").values():
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                assert backend["name"] == "gateway"
                assert backend["port"]["name"] in {port["name"] for port in services["gateway"]["spec"]["ports"]}


def test_every_config_map_and_secret_key_a_deployment_reads_exists():
    config_maps = of_kind("ConfigMap")
    secrets = of_kind("Secret")
    for name, deployment in of_kind("Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        for container in containers(deployment):
            for source in container.get("envFrom", []):
                assert source["configMapRef"]["name"] in config_maps, name
            for variable in container.get("env", []):
                reference = variable.get("valueFrom", {}).get("secretKeyRef")
                if reference:
                    assert reference["key"] in secrets[reference["name"]]["stringData"], (name, reference)
            mounts = {mount["name"] for mount in container.get("volumeMounts", [])}
            assert mounts <= {volume["name"] for volume in pod.get("volumes", [])}, name
        for volume in pod.get("volumes", []):
            if "secret" in volume:
                secret = secrets[volume["secret"]["secretName"]]
                for item in volume["secret"].get("items", []):
                    assert item["key"] in secret["stringData"], (name, item)


def test_secrets_hold_placeholders_only():
    for secret in of_kind("Secret").values():
        for key, value in secret["stringData"].items():
            assert "CHANGE-ME" in value or value == "[]", key


def test_every_environment_name_is_in_the_readme():
    documented = documented_variables()
    config_maps = of_kind("ConfigMap")
    for name, deployment in of_kind("Deployment").items():
        if name == "redis":
            continue
        for container in containers(deployment):
            names = {variable["name"] for variable in container.get("env", [])}
            for source in container.get("envFrom", []):
                names |= set(config_maps[source["configMapRef"]["name"]]["data"])
            assert sorted(names - documented) == [], name


def test_the_gateway_shares_rate_limits_in_the_redis_of_the_manifests():
    gateway = of_kind("ConfigMap")["acikkapi-gateway"]["data"]
    assert gateway["RATE_LIMIT_STORAGE_URI"].startswith("redis://redis:")
    assert "redis" in of_kind("Service")
