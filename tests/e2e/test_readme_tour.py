"""The README's 5-minute tour, run as written: its first ``sh`` block starts the system (``make run``
with the settings it names), the others are pasted in order into one bash against that system.
A wrong account, unit, route or field in the README fails here, as it would for a reader.

The blocks take the gateway's address and the data directory from ``API`` and ``DATA_DIR``
(``make run``'s defaults when unset): here they point at this test's own ``make run``.
"""
import os
import re
import shlex
import subprocess

from tests.support.make_run import MakeRun
from tests.support.processes import ROOT

README = ROOT / "README.md"
TOUR_HEADING = "## A 5-minute tour"
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.DOTALL | re.MULTILINE)
ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")
ANSWER_REQUEST = re.compile(r"/answer\".*?\"text\": \"(?P<text>[^\"]+)\"", re.DOTALL)
TOUR_SECONDS = 120  # each waiting loop of the tour would otherwise wait for ever


def tour_section(text):
    """The tour's text: from its heading to the next heading of the same level."""
    assert TOUR_HEADING + "\n" in text, "README.md has no section " + TOUR_HEADING
    start = text.index(TOUR_HEADING + "\n")
    end = text.find("\n## ", start + len(TOUR_HEADING))
    return text[start:] if end == -1 else text[start:end]


def tour_blocks():
    """(the settings of the start command, the shell blocks after it)."""
    start, *steps = SH_BLOCK.findall(tour_section(README.read_text(encoding="utf-8")))
    *assignments, make, target = shlex.split(start, comments=True)
    assert (make, target) == ("make", "run") and all(ASSIGNMENT.match(word) for word in assignments), start
    return dict(word.split("=", 1) for word in assignments), steps


def test_the_tour_starts_make_run_with_the_example_accounts():
    settings, steps = tour_blocks()

    assert (ROOT / settings["STAFF_ACCOUNTS_FILE"]).is_file()
    assert steps and ANSWER_REQUEST.search("\n".join(steps))


def test_the_readme_tour_runs_as_written(own_vhost, tmp_path):
    settings, steps = tour_blocks()
    script = "\n".join(steps)
    answer_text = ANSWER_REQUEST.search(script).group("text")
    system = MakeRun(own_vhost, tmp_path, **settings)
    # make run's own defaults, not the harness's: the log SMS provider, rate limits on.
    for harness_only in ("SMS_PROVIDER", "RATE_LIMITS_ENABLED"):
        system.env.pop(harness_only, None)
    system.start()
    try:
        tour = subprocess.run(["bash", "-c", "set -euo pipefail\n" + script], cwd=ROOT, capture_output=True,
                              text=True, timeout=TOUR_SECONDS,
                              env=dict(os.environ, API=system.url, DATA_DIR=str(tmp_path)))
    finally:
        system.close()

    assert tour.returncode == 0, "the tour stopped:\n{}\n{}".format(tour.stdout[-3000:], tour.stderr[-3000:])
    lines = tour.stdout.splitlines()
    assert [line for line in lines if line in ("routed", "answered")] == ["routed", "answered"], tour.stdout
    assert lines[-1] == answer_text, tour.stdout
