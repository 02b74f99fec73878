"""Data at rest (issue 16), against the real processes: every file the system wrote under DATA_DIR
is its owner's only (files 0600, directories 0700, DATA_DIR itself too), and every process that
writes there runs with umask 077, so a file someone adds later is private without them thinking
of it."""
import os
from pathlib import Path

from tests.support.staff_client import StaffApi, ankara_health_body, submit

STORES = {"intake.db", "routing.db", "notification.db", "tracking.db"}


def harness_files(running_system):
    """What the tests themselves put in DATA_DIR: each process's output, the staff accounts."""
    return {process.log_path for process in running_system.processes.values()} | {
        Path(running_system.env["STAFF_ACCOUNTS_FILE"])}


def children(pid):
    """The processes whose parent is ``pid`` (gunicorn's workers), read from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path("/proc", entry, "stat").read_text()
            except OSError:  # ended meanwhile
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def umask_of(pid):
    for line in Path("/proc", str(pid), "status").read_text().splitlines():
        if line.startswith("Umask:"):
            return int(line.split()[1], 8)
    raise AssertionError("no Umask in /proc/{}/status".format(pid))


def test_every_file_the_system_wrote_under_data_dir_is_the_owners_only(running_system):
    staff = StaffApi(running_system.url)
    staff.wait_in_queue("ankara.router", submit(running_system.url, ankara_health_body())["application_no"])
    data_dir = Path(running_system.data_dir)
    skip = harness_files(running_system)

    modes = {str(path.relative_to(data_dir)): oct(path.stat().st_mode & 0o777)
             for path in data_dir.rglob("*") if path not in skip}

    assert STORES | {"secret_key"} <= set(modes)  # the store files and the signing key are there
    assert {name: mode for name, mode in modes.items()
            if mode != ("0o700" if (data_dir / name).is_dir() else "0o600")} == {}
    assert oct(data_dir.stat().st_mode & 0o777) == "0o700"


def test_every_process_that_writes_under_data_dir_creates_files_for_its_owner_only(running_system):
    writers = {label: process.popen.pid for label, process in running_system.processes.items()
               if label not in (running_system.fake_label, "gateway") and process.popen.poll() is None}
    # gunicorn's master only forks; its workers build the app and write (the signing key).
    writers.update({"gateway worker {}".format(pid): pid
                    for pid in children(running_system.processes["gateway"].popen.pid)})
    assert len(writers) >= len(STORES) + 1

    assert {label: oct(umask_of(pid)) for label, pid in writers.items()} == {
        label: "0o77" for label in writers}
