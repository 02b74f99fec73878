"""300 applications at ~20/s while each service in turn, and the gateway, is killed with SIGKILL
and started again (issue 6, fault test 1). Afterwards every application a citizen was given is in
intake, routing and tracking and got exactly one "received" SMS; nothing else was created."""
import signal

from tests.support.broker import temporary_vhost
from tests.support.load import SteadySubmissions
from tests.support.processes import SERVICES, RunningSystem, gateway_process, http_ok, wait_until
from tests.support.reconciliation import wait_reconciled

VICTIMS = (*SERVICES, "gateway")


def _kill_and_restart(system, name):
    system.processes[name].stop(signal.SIGKILL)
    if name == "gateway":
        system.processes[name] = gateway_process(system.env, system.data_dir)
        wait_until(lambda: http_ok(system.url + "/healthz"), timeout=30, what="gateway back")
    else:
        system.start_service(name)


def test_nothing_lost_or_doubled_while_processes_are_killed(tmp_path):
    with temporary_vhost() as amqp_uri:
        system = RunningSystem(amqp_uri, tmp_path).start()
        try:
            load = SteadySubmissions(system.url, count=300, rate=20).start()
            for index, victim in enumerate(VICTIMS):
                # spread the kills over the 15 s of submissions, one victim about every 2.5 s
                wait_until(lambda: load.started >= 40 + index * 50, timeout=60, what="submissions under way")
                _kill_and_restart(system, victim)
            outcomes = load.join(timeout=120)
            system.wait_ready()
            exited = system.exited()
            report = wait_reconciled(load.told, system.data_dir, system.sms_messages, timeout=60,
                                     unanswered=[outcome.key for outcome in outcomes if not outcome.created])
        finally:
            system.stop()

    refused = [outcome.answers for outcome in outcomes if not outcome.created]
    assert not refused, "submissions that never got their 201: {}".format(refused[:5])
    assert len(set(load.told)) == 300
    assert report.clean, str(report)
    assert exited == {}, "processes died"
    print("answers other than 201 during the kills:",
          sum(1 for outcome in outcomes for answer in outcome.answers if answer != 201))
