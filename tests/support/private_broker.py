"""A private RabbitMQ node for fault tests: one a test may stop, kill and restart.

The shared broker (127.0.0.1:5672, node ``rabbit@localhost``, dist port 25672) is never
touched: the private node has its own name, ports, Erlang cookie (``HOME``), data and logs,
all under ``base_dir``, and reads none of the machine's files under /etc/rabbitmq. It shares
only the host's epmd, which maps node names to dist ports and is there for every node.

It runs ``/usr/lib/rabbitmq/bin/rabbitmq-server`` in the foreground as the current user (the
``/usr/sbin`` wrapper would switch to the ``rabbitmq`` user and its files), in a session of
its own, so a signal to the process group reaches the script and the Erlang VM alike.

Timings measured here (RabbitMQ 3.10.8, Erlang 25, no plugins, eventlet-patched or not):
``start()`` 4.6-5.2 s until AMQP answers, the first one (empty data) included — about 1 s of
Erlang boot, 2 s of RabbitMQ finding its boot steps, 0.1 s of actual start; ``stop()`` 1.1 s;
``restart()`` 5.9-6.5 s; ``kill()`` 1.9 s (the dying VM holds its ports until it is gone).

    with PrivateBroker(tmp_path) as broker:   # started; stopped on the way out
        ... broker.amqp_uri ... broker.restart() ...
"""
import os
import random
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path

from kombu import Connection

RABBITMQ_SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
SHARED_PORTS = {5672, 25672}  # the shared broker's AMQP and dist ports: never ours
# Below the kernel's ephemeral range (32768-60999 here): a port the kernel hands out for
# binding to port 0 can be handed out again to the next outgoing connection before the node
# listens on it (seen: ``dist_port_already_used``).
PRIVATE_PORTS = range(20000, 32000)


class BrokerUnavailable(RuntimeError):
    """RabbitMQ is not installed here, or the private node did not come up."""


def _free_port(taken=()):
    while True:
        port = random.choice(PRIVATE_PORTS)
        if port not in SHARED_PORTS and port not in taken and _port_free(port):
            return port


def _port_free(port):
    """Free to listen on: SO_REUSEADDR, as Erlang listens, so connections of a killed node
    lingering in TIME_WAIT do not count; a listener does."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def broker_or_skip(base_dir):
    """For a fixture: a PrivateBroker (not started), or the test skipped where RabbitMQ is not
    installed. ``with broker_or_skip(tmp_path) as broker: yield broker``."""
    import pytest

    try:
        return PrivateBroker(base_dir)
    except BrokerUnavailable as exc:
        pytest.skip(str(exc))


class PrivateBroker:
    def __init__(self, base_dir):
        if not RABBITMQ_SERVER.exists():
            raise BrokerUnavailable("{} not found: RabbitMQ is not installed".format(RABBITMQ_SERVER))
        self.base_dir = Path(base_dir)
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self.node_name = "acikkapi-{}@localhost".format(secrets.token_hex(4))
        self.port = _free_port()
        # Always set: left alone, the dist port would be port + 20000, maybe someone else's.
        self.dist_port = _free_port(taken={self.port})
        self.log_path = self.base_dir / "rabbitmq-server.log"
        self._popen = None
        self._log = None

    @property
    def amqp_uri(self):
        return "amqp://guest:guest@127.0.0.1:{}/".format(self.port)

    # --- life cycle

    def start(self, timeout=60, attempts=3):
        """Starts the node; returns once an AMQP connection succeeds. A dist port someone
        took meanwhile is replaced (nothing outside the node knows it); the AMQP port stays,
        as clients of a restarted node reconnect to it."""
        if self._popen is not None:
            raise RuntimeError("the private broker is running already")
        if not _port_free(self.port):
            raise BrokerUnavailable("port {} is taken; the private node cannot use it".format(self.port))
        for attempt in range(attempts):
            if not _port_free(self.dist_port):
                self.dist_port = _free_port(taken={self.port})
            try:
                return self._start_once(timeout)
            except BrokerUnavailable as exc:
                if "dist_port_already_used" not in str(exc) or attempt == attempts - 1:
                    raise
                self.dist_port = _free_port(taken={self.port, self.dist_port})

    def _start_once(self, timeout):
        self._log = open(self.log_path, "ab")
        self._popen = subprocess.Popen(
            [str(RABBITMQ_SERVER)], cwd=self.base_dir, env=self._env(),
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while not self.is_up():
            if self._popen.poll() is not None:
                self.kill()
                raise BrokerUnavailable("the private broker exited; log:\n" + self.log_tail())
            if time.monotonic() > deadline:
                self.kill()
                raise BrokerUnavailable("the private broker did not answer within {}s; log:\n{}".format(
                    timeout, self.log_tail()))
            time.sleep(0.2)
        return self

    def stop(self, timeout=30):
        """Graceful: SIGTERM to the node's process group (the node stops cleanly, writing its
        queues out); SIGKILL if it has not ended within ``timeout``."""
        if self._popen is None:
            return
        self._signal(signal.SIGTERM)
        if not self._wait_ended(timeout):
            self._signal(signal.SIGKILL)
            self._wait_ended(10)
        self._ended()

    def kill(self):
        """An abrupt death: SIGKILL to the whole node, nothing written out."""
        if self._popen is None:
            return
        self._signal(signal.SIGKILL)
        self._wait_ended(10)
        self._ended()

    def restart(self, timeout=60):
        """Stop, then start with the same name, ports and data: durable queues and persistent
        messages are there again."""
        self.stop()
        return self.start(timeout)

    def is_up(self):
        """True if an AMQP connection (guest, allowed from loopback) succeeds right now."""
        try:
            with Connection(self.amqp_uri, connect_timeout=1) as connection:
                # One attempt: connect() would retry after 2 s, hiding when the node came up.
                connection.ensure_connection(max_retries=0)
            return True
        except Exception:  # refused, reset, or AMQP not ready yet
            return False

    def ctl(self, *args, timeout=60):
        """``rabbitmqctl`` against this node (with its cookie); its standard output."""
        finished = subprocess.run([str(RABBITMQ_SERVER.with_name("rabbitmqctl")), "-q", "-n", self.node_name, *args],
                                  env=self._env(), capture_output=True, text=True, timeout=timeout)
        if finished.returncode != 0:
            raise RuntimeError("rabbitmqctl {} on {}: {}".format(" ".join(args), self.node_name,
                                                                 finished.stderr[-2000:]))
        return finished.stdout

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # --- details

    def log_tail(self, chars=4000):
        texts = []
        for path in [self.log_path, *sorted((self.base_dir / "log").glob("*.log"))]:
            if path.exists():
                texts.append("--- {}\n{}".format(path.name, path.read_text(errors="replace")[-chars:]))
        return "\n".join(texts)

    def _env(self):
        base = self.base_dir
        plugins = base / "enabled_plugins"
        plugins.write_text("[].\n")
        # A minimal environment: nothing of this process's RABBITMQ_*/ERL_* settings leaks in.
        env = {name: os.environ[name] for name in ("PATH", "LANG", "LC_ALL") if name in os.environ}
        env.update(
            HOME=str(base),  # its own .erlang.cookie, not the shared node's
            RABBITMQ_NODENAME=self.node_name,
            RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
            RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_DIST_PORT=str(self.dist_port),
            RABBITMQ_MNESIA_BASE=str(base / "mnesia"),
            RABBITMQ_LOG_BASE=str(base / "log"),
            RABBITMQ_PID_FILE=str(base / "rabbitmq.pid"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(plugins),
            # Files that do not exist: none of the shared broker's settings apply here.
            RABBITMQ_CONFIG_FILE=str(base / "no-rabbitmq.conf"),
            RABBITMQ_ADVANCED_CONFIG_FILE=str(base / "no-advanced.config"),
            RABBITMQ_CONF_ENV_FILE=str(base / "no-rabbitmq-env.conf"),
            # What /etc/rabbitmq/rabbitmq-env.conf gives the shared node: loopback only.
            ERL_EPMD_ADDRESS="127.0.0.1",
            RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}",
        )
        return env

    def _wait_ended(self, timeout):
        """True once every process of the node has exited. The script ends before the VM it
        runs when killed, and a dying VM holds its ports for a moment (over 1 s here)."""
        deadline = time.monotonic() + timeout
        while True:
            self._popen.poll()  # reaps the script: as a zombie it would still be in the group
            try:
                os.killpg(self._popen.pid, 0)
            except ProcessLookupError:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)

    def _signal(self, sig):
        try:
            os.killpg(self._popen.pid, sig)
        except ProcessLookupError:
            pass

    def _ended(self):
        # Forgotten once gone: a later stop() must not signal a process group id reused since.
        self._popen = None
        self._log.close()
        self._log = None
