"""Environment settings with the names of docs/configuration.md#environment, the same in every process."""
import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, overload
from urllib.parse import urlsplit

_Default = TypeVar("_Default")

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"


@overload
def setting(name: str) -> str | None: ...
@overload
def setting(name: str, default: _Default) -> str | _Default: ...
def setting(name: str, default: object = None) -> object:
    """An environment variable, with empty treated as unset (compose files often pass ``VAR=``)."""
    value = os.environ.get(name, "")
    return value if value != "" else default


def data_dir() -> Path:
    return Path(setting("DATA_DIR", "./var")).resolve()


PRIVATE_UMASK = 0o077  # new files 0600, new directories 0700


def make_files_private() -> None:
    """From here on this process creates files and directories for its owner only, and DATA_DIR,
    when it exists wider (``mkdir -p`` makes 0755), is narrowed to 0700. The stores, their logs,
    the signing key and the SMS log hold personal data or secrets; a process-wide umask covers a
    file added later too, without anyone remembering to. Every service (common.storage.Store) and
    the gateway (create_app) call it before they write anything."""
    os.umask(PRIVATE_UMASK)
    directory = data_dir()
    try:
        status = directory.stat()
        if status.st_uid == os.geteuid() and status.st_mode & 0o077:
            directory.chmod(0o700)
    except FileNotFoundError:
        pass  # whoever writes there first creates it, under the umask


def generated_secret(setting_name: str, file_name: str, generate: Callable[[], str]) -> str:
    """The setting ``setting_name``, or a secret ``generate()`` made into ``DATA_DIR/file_name`` on
    first run and reused after (a single machine's processes share it; a deployment of several
    machines sets the setting). Processes that start together: the first to create the file wins
    and the others read what it wrote."""
    configured = setting(setting_name)
    if configured:
        return configured
    path = data_dir() / file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_when_written(path)
    with os.fdopen(descriptor, "w") as secret_file:
        secret_file.write(generate())
    return path.read_text().strip()


def _read_when_written(path: Path) -> str:
    for _ in range(100):
        secret = path.read_text().strip()
        if secret:
            return secret
        time.sleep(0.01)
    raise RuntimeError("secret file stays empty: {}".format(path))


def amqp_uri() -> str:
    """The broker, or a cluster's nodes as kombu's failover list: ``amqp://…@a:5672/;amqp://…@b:5672/``
    (every process moves to the next node when its node goes away)."""
    return setting("AMQP_URI", DEFAULT_AMQP_URI)


def amqp_nodes(uri: str | None = None) -> list[str]:
    """The node URIs of ``uri`` (default ``AMQP_URI``), in their order."""
    return [node.strip() for node in (uri or amqp_uri()).split(";") if node.strip()]


def system_id() -> str:
    """What tells this system from another on the same machine: ``SYSTEM_ID``, else a digest of the
    broker's address and vhost and the resolved ``DATA_DIR`` (two systems differ in one of them, or
    they would share queues and stores). Each service serves it (``acikkapi_process_info``) and the
    health check compares it, so a port answered by another system's process is not "healthy"."""
    explicit = setting("SYSTEM_ID")
    if explicit:
        return explicit
    broker = urlsplit(amqp_nodes()[0])  # never the credentials; a cluster is named by its first node
    where = "{}:{}{}|{}".format(broker.hostname, broker.port or 5672, broker.path or "/", data_dir())
    return hashlib.sha256(where.encode("utf-8")).hexdigest()[:12]


def mongo_uri(service_name: str, configured: str | None = None) -> str:
    """This process's store: ``configured`` (from the nameko config), else ``MONGO_URI``,
    else the embedded engine's file for the service under ``DATA_DIR``."""
    uri = configured or setting("MONGO_URI")
    if uri:
        return uri
    cache = setting("STORE_CACHE_MIB")  # the embedded store's page cache (docstore/storage.py)
    return "sqlite:///{}{}".format(data_dir() / "{}.db".format(service_name), "?cache_mib=" + cache if cache else "")
