"""A private RabbitMQ vhost per test session, so runs never see each other's queues."""
import contextlib
import json
import shutil
import subprocess
import urllib.parse
import uuid

from common import config


def _rabbitmqctl(*args):
    if shutil.which("rabbitmqctl") is None:
        raise RuntimeError("rabbitmqctl is needed to make a test vhost (run the tests on the broker's machine)")
    return subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, text=True, timeout=60).stdout


def queue_types(amqp_uri):
    """``{queue name: "classic" | "quorum"}`` of the vhost of ``amqp_uri``, as the broker lists them."""
    vhost = urllib.parse.unquote(urllib.parse.urlparse(amqp_uri).path[1:]) or "/"
    listed = json.loads(_rabbitmqctl("list_queues", "-p", vhost, "name", "type", "--formatter", "json") or "[]")
    return {queue["name"]: queue["type"] for queue in listed}


def uri_with_vhost(base_uri, vhost):
    parts = urllib.parse.urlparse(base_uri)
    return parts._replace(path="/" + urllib.parse.quote(vhost, safe="")).geturl()


@contextlib.contextmanager
def temporary_vhost():
    """Yields an AMQP URI on a fresh vhost of the broker at AMQP_URI; deletes it afterwards."""
    base = config.amqp_uri()
    user = urllib.parse.urlparse(base).username or "guest"
    vhost = "acikkapi-test-" + uuid.uuid4().hex[:10]
    _rabbitmqctl("add_vhost", vhost)
    try:
        _rabbitmqctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")
        yield uri_with_vhost(base, vhost)
    finally:
        _rabbitmqctl("delete_vhost", vhost)
