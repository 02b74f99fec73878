"""gateway/gunicorn_logger.py: with the gateway's logging configuration (which would switch
gunicorn's access log on), no request line is built or written — they would carry application
numbers and tracking codes, and building them cost ~5% of the gateway's CPU."""
import ast
import logging
from pathlib import Path

from gunicorn.config import Config

CONF = Path(__file__).resolve().parents[3] / "gateway" / "gunicorn.conf.py"


class Untouchable:
    """A request or response whose any attribute read fails the test: nothing may be built."""

    def __getattr__(self, name):
        raise AssertionError("the access log read {}".format(name))


def conf_setting(name):
    """A literal setting of gateway/gunicorn.conf.py, read without running the file (it sets up the
    metrics directory and patches gunicorn)."""
    for node in ast.parse(CONF.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and [target.id for target in node.targets] == [name]:
            return ast.literal_eval(node.value)
    raise AssertionError("{} is not set in {}".format(name, CONF))


# What turns gunicorn's access log on: any logging configuration, as the gateway's JSON one.
LOGCONFIG = {"version": 1, "disable_existing_loggers": False,
             "loggers": {"gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False}}}


def configured(logger_class):
    config = Config()
    config.set("accesslog", conf_setting("accesslog"))
    config.set("logconfig_dict", LOGCONFIG)
    config.set("logger_class", logger_class)
    return config.logger_class(config)


def test_the_gateways_gunicorn_logs_no_request_lines_and_builds_none(caplog):
    logger = configured(conf_setting("logger_class"))

    with caplog.at_level(logging.DEBUG):
        logger.access(Untouchable(), Untouchable(), {"PATH_INFO": "/api/v1/applications/2026-000001"}, 0.01)

    assert conf_setting("logger_class") == "gateway.gunicorn_logger.NoAccessLogLogger"
    assert not logger.access_log_enabled
    assert "2026-000001" not in caplog.text


def test_gunicorns_own_logger_would_build_them_under_the_same_configuration():
    logger = configured("gunicorn.glogging.Logger")

    assert logger.access_log_enabled, "the case the gateway's logger exists for"
