"""Which files of a directory still hold a value: what the erasure tests (the engine's own and each
service's) look for after an erasure."""
import os

# The embedded engine's codec writes JSON text (UTF-8); SQLite may hold text as UTF-16 too.
ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be")


def copies(directory, value):
    """{file name: how often ``value`` is in it}, as UTF-8 (the codec's JSON text) and UTF-16."""
    found = {}
    for name in os.listdir(directory):
        data = (directory / name).read_bytes()
        found[name] = sum(data.count(value.encode(codec)) for codec in ENCODINGS)
    return found


def holding(directory, value):
    """The names of the files in ``directory`` that hold ``value`` at least once."""
    return {name for name, count in copies(directory, value).items() if count}
