"""Environment settings with the names of design.md §9, the same in every process."""
import os
from pathlib import Path

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"


def setting(name, default=None):
    """An environment variable, with empty treated as unset (compose files often pass ``VAR=``)."""
    value = os.environ.get(name, "")
    return value if value != "" else default


def data_dir():
    return Path(setting("DATA_DIR", "./var")).resolve()


def amqp_uri():
    return setting("AMQP_URI", DEFAULT_AMQP_URI)


def mongo_uri(service_name, configured=None):
    """This process's store: ``configured`` (from the nameko config), else ``MONGO_URI``,
    else the embedded engine's file for the service under ``DATA_DIR``."""
    uri = configured or setting("MONGO_URI")
    if uri:
        return uri
    cache = setting("STORE_CACHE_MIB")  # the embedded store's page cache (common/embedded/storage.py)
    return "sqlite:///{}{}".format(data_dir() / "{}.db".format(service_name), "?cache_mib=" + cache if cache else "")
