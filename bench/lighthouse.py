"""``make lighthouse``: Lighthouse's four category scores (performance, accessibility, best
practices, SEO) of the citizen portal's pages, mobile emulation, against Debian's Chromium.

    .venv/bin/python bench/lighthouse.py [--url http://127.0.0.1:8000] [--pages /,/takip,/yardim,/kvkk]
                                         [--minimum 95] [--runs 3]

Without ``--url`` it starts the whole system itself (the processes of ``make run`` on a
throw-away RabbitMQ vhost and a temporary DATA_DIR, as bench/run.py does) and stops it after.
Lighthouse comes from npm, pinned (``LIGHTHOUSE_VERSION``), installed once under
``var/lighthouse/npm/`` with npm; no browser is downloaded: ``CHROME_PATH`` is
``/usr/bin/chromium`` (or ``CHROMIUM_PATH``), run with ``--headless=new --no-sandbox
--disable-gpu``. Each page is measured ``--runs`` times; the run with the median performance
score is reported and its JSON report kept as ``var/lighthouse/<page>.json`` (every run's as
``<page>-<n>.json``). Lighthouse's simulated throttling scales the main-thread time it observes,
so a machine busy with other work scores lower: measure on a quiet one. Prints one table; exits 1
when any score is below ``--minimum`` (naming the audits that cost points), 2 when Lighthouse
could not run.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LIGHTHOUSE_VERSION = "12.8.2"
OUT = ROOT / "var" / "lighthouse"
INSTALL = OUT / "npm"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PAGES = ("/", "/takip", "/yardim", "/kvkk")
RUN_TIMEOUT_SECONDS = 180


def lighthouse_binary():
    """The pinned Lighthouse, installed by npm the first time (a few seconds from the registry)."""
    binary = INSTALL / "node_modules" / ".bin" / "lighthouse"
    installed = INSTALL / "node_modules" / "lighthouse" / "package.json"
    if not (binary.exists() and json.loads(installed.read_text()).get("version") == LIGHTHOUSE_VERSION):
        if shutil.which("npm") is None:
            sys.exit("npm not found: install Node.js and npm (apt-get install nodejs npm)")
        INSTALL.mkdir(parents=True, exist_ok=True)
        print("installing lighthouse@{} into {} ...".format(LIGHTHOUSE_VERSION, INSTALL), file=sys.stderr, flush=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", str(INSTALL),
                        "lighthouse@{}".format(LIGHTHOUSE_VERSION)], check=True)
    return binary


def page_name(path):
    return path.strip("/").replace("/", "-") or "apply"


def audit(binary, url, report):
    """One Lighthouse run of ``url`` (mobile emulation and simulated throttling, Lighthouse's
    defaults); its JSON report written to ``report`` and returned."""
    if not os.path.isfile(CHROMIUM):
        sys.exit("Chromium not found at {} (CHROMIUM_PATH): apt-get install chromium".format(CHROMIUM))
    command = [str(binary), url, "--quiet", "--output=json", "--output-path={}".format(report),
               "--only-categories={}".format(",".join(CATEGORIES)), "--form-factor=mobile",
               "--chrome-flags={}".format(CHROME_FLAGS)]
    result = subprocess.run(command, env=dict(os.environ, CHROME_PATH=CHROMIUM), capture_output=True, text=True,
                            timeout=RUN_TIMEOUT_SECONDS)
    if result.returncode != 0 or not report.exists():
        print(result.stderr[-4000:], file=sys.stderr)
        sys.exit(2)
    data = json.loads(report.read_text())
    if data.get("runtimeError"):
        print("lighthouse: {}".format(data["runtimeError"]), file=sys.stderr)
        sys.exit(2)
    return data


def scores(report):
    return {category: round(100 * (report["categories"][category]["score"] or 0)) for category in CATEGORIES}


def costly_audits(report, category):
    """The audits of ``category`` that did not score fully, weightiest first."""
    refs = sorted(report["categories"][category]["auditRefs"], key=lambda ref: -ref["weight"])
    found = []
    for ref in refs:
        result = report["audits"][ref["id"]]
        if ref["weight"] and result.get("score") is not None and result["score"] < 1:
            found.append("{} ({})".format(ref["id"], result.get("displayValue") or round(100 * result["score"])))
    return found


def measure(base_url, pages, runs):
    binary = lighthouse_binary()
    OUT.mkdir(parents=True, exist_ok=True)
    results = {}
    for path in pages:
        reports = []
        for run in range(runs):
            report_path = OUT / "{}{}.json".format(page_name(path), "" if runs == 1 else "-{}".format(run + 1))
            reports.append((audit(binary, base_url + path, report_path), report_path))
        reports.sort(key=lambda item: scores(item[0])["performance"])
        median, median_path = reports[len(reports) // 2]
        if runs > 1:
            shutil.copyfile(median_path, OUT / "{}.json".format(page_name(path)))
        results[path] = median
    return results


def print_table(results, minimum):
    header = "{:<10}" + "{:>16}" * len(CATEGORIES)
    print(header.format("page", *CATEGORIES))
    failed = []
    for path, report in results.items():
        page_scores = scores(report)
        print(header.format(path, *(page_scores[category] for category in CATEGORIES)))
        for category, score in page_scores.items():
            if score < minimum:
                failed.append((path, category, score, costly_audits(report, category)))
    for path, category, score, audits in failed:
        print("below {}: {} {} = {}: {}".format(minimum, path, category, score, ", ".join(audits[:6])))
    print("reports: {}".format(OUT))
    return not failed


@contextmanager
def system_running():
    """The processes of ``make run`` on a throw-away vhost and DATA_DIR (tests/support)."""
    from tests.support.broker import temporary_vhost
    from tests.support.processes import RunningSystem

    with temporary_vhost() as amqp_uri, tempfile.TemporaryDirectory(prefix="acikkapi-lighthouse-") as data_dir:
        system = RunningSystem(amqp_uri, data_dir, extra_env={"DEADLINE_CHECK_SECONDS": "60"})
        print("starting the system ...", file=sys.stderr, flush=True)
        system.start()
        try:
            yield system.url
        finally:
            system.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running gateway to measure (default: start a system)")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated paths (default %(default)s)")
    parser.add_argument("--minimum", type=int, default=95, help="the least score of every category (default 95)")
    parser.add_argument("--runs", type=int, default=3,
                        help="runs per page, the median by performance kept (default 3: one run varies by points)")
    args = parser.parse_args(argv)
    pages = [page.strip() for page in args.pages.split(",") if page.strip()]
    if args.url:
        results = measure(args.url.rstrip("/"), pages, args.runs)
    else:
        with system_running() as url:
            results = measure(url, pages, args.runs)
    return 0 if print_table(results, args.minimum) else 1


if __name__ == "__main__":
    sys.exit(main())
