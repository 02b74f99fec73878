"""Reads py-spy's collapsed stacks (``bench/run.py --profile DIR``) and prints, per file, where
the samples went: the functions with the most samples of their own (self) and the functions
with the most samples under them (inclusive, each function counted once per stack).

    .venv/bin/python bench/profile_summary.py DIR/submit-c32-*.txt [--top 25] [--idle]

``--idle`` keeps the samples of threads waiting in the eventlet hub (epoll) or a lock; by default
they are left out, so the shares are of the time the process spent working.
"""
import argparse
import re
from collections import Counter

IDLE = re.compile(r"\b(wait|poll|epoll|select|sleep|acquire|_recv_into|readinto|recv)\b \(")


def parse(path, keep_idle):
    stacks = []
    with open(path) as lines:
        for line in lines:
            line = line.rstrip("\n")
            if not line:
                continue
            frames, _, count = line.rpartition(" ")
            frames = frames.split(";")
            if not keep_idle and IDLE.search(frames[-1]):
                continue
            stacks.append((frames, int(count)))
    return stacks


def short(frame):
    """"name (path/to/file.py:12)" -> "name (file.py)": lines differ per call site."""
    match = re.match(r"(.*) \((.*?):\d+\)$", frame)
    if not match:
        return frame
    name, path = match.groups()
    parts = path.split("/")
    tail = "/".join(parts[-2:]) if len(parts) > 1 else path
    return "{} ({})".format(name, tail)


def summarise(path, top, keep_idle):
    stacks = parse(path, keep_idle)
    total = sum(count for _, count in stacks) or 1
    own, under = Counter(), Counter()
    for frames, count in stacks:
        names = [short(frame) for frame in frames]
        own[names[-1]] += count
        for name in set(names):
            under[name] += count
    print("== {} ({} samples{})".format(path, total, "" if keep_idle else ", idle left out"))
    print("  self%   incl%  function")
    for name, count in under.most_common(top):
        print("  {:5.1f}   {:5.1f}  {}".format(100.0 * own[name] / total, 100.0 * count / total, name))
    print("  -- most self time:")
    for name, count in own.most_common(top // 2):
        print("  {:5.1f}          {}".format(100.0 * count / total, name))
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--idle", action="store_true", help="keep samples of waiting threads")
    args = parser.parse_args()
    for path in args.files:
        summarise(path, args.top, args.idle)


if __name__ == "__main__":
    main()
