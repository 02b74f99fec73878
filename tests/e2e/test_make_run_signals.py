"""No signal to `make run` leaves a process running (common/launcher.py): not Ctrl-C (SIGINT to
the foreground group, tests/e2e/test_make_run_restart.py), not a closed terminal (SIGHUP to the
group), not SIGTERM to make, to its group or to the launcher, and not SIGKILL — of the launcher
(its processes get SIGTERM from the kernel, PR_SET_PDEATHSIG), of make alone (the launcher gets it
from make's death and stops the rest), or of make's whole group. gunicorn's workers are counted
too: they are grandchildren and leave when their master does, even when nobody is left to tell
them. Afterwards the DATA_DIR locks are free, so the next `make run` starts clean.
"""
import os
import signal
import time

import pytest

from tests.support.broker import temporary_vhost
from tests.support.make_run import MakeRun
from tests.support.processes import wait_until

GONE_WITHIN = 15  # seconds; the services' graceful stops take a second or two each


def _sigkill_launcher(system):
    os.kill(system.launcher_pid(), signal.SIGKILL)


def _sigkill_make(system):
    os.kill(system.process.pid, signal.SIGKILL)


def _sigterm_make(system):
    os.kill(system.process.pid, signal.SIGTERM)


def _sigterm_launcher(system):
    os.kill(system.launcher_pid(), signal.SIGTERM)


def _sigkill_launcher_and_gunicorn(system):
    """Nobody left to stop gunicorn's workers: they notice their parent changed (gunicorn checks
    it every second)."""
    os.kill(system.launcher_pid(), signal.SIGKILL)
    os.kill(system.pids()["gateway"], signal.SIGKILL)


SIGNALS = {
    "terminal closed (SIGHUP to the group)": (lambda system: system.signal_group(signal.SIGHUP), "SIGHUP"),
    "SIGTERM to make": (_sigterm_make, "SIGTERM"),
    "SIGTERM to make's group (make forwards it: twice at once)": (
        lambda system: system.signal_group(signal.SIGTERM), "SIGTERM"),
    "SIGTERM to the launcher": (_sigterm_launcher, "SIGTERM"),
    "SIGKILL to the launcher": (_sigkill_launcher, None),
    "SIGKILL to the launcher and gunicorn's master": (_sigkill_launcher_and_gunicorn, None),
    "SIGKILL to make alone": (_sigkill_make, "SIGTERM"),
    "SIGKILL to make's group": (lambda system: system.signal_group(signal.SIGKILL), None),
}


@pytest.mark.parametrize("how", list(SIGNALS))
def test_no_signal_leaves_a_process_running(how, tmp_path):
    send, stop_logged = SIGNALS[how]
    with temporary_vhost() as amqp_uri:
        system = MakeRun(amqp_uri, tmp_path).start()
        try:
            tree = system.tree()
            commands = " ".join(tree.values())
            assert commands.count("nameko run") == 4 and commands.count("gunicorn") >= 2, tree
            assert not system.locks_free()

            began = time.monotonic()
            send(system)
            wait_until(lambda: system.left_running() == {}, timeout=GONE_WITHIN + 15, interval=0.2,
                       what="every process gone")
            gone = time.monotonic() - began
            wait_until(system.locks_free, timeout=5, what="the DATA_DIR locks free")
            system.process.wait(timeout=10)
        finally:
            system.close()
    print("\n{}: {} processes gone in {:.1f} s".format(how, len(tree), gone))
    assert gone < GONE_WITHIN, "{:.1f} s".format(gone)
    if stop_logged:  # the launcher lived to stop them in order, gracefully
        lines = system.launcher_lines()
        assert "stopping every process ({})".format(stop_logged) in lines
        assert lines[-1] == "stopped"
        assert not [line for line in lines if "SIGKILL" in line], lines
