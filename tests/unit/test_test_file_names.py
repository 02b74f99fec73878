"""Every test file's name is unique across tests/: the test directories are not packages, so pytest
imports each file as a top-level module by its name, and a second file of that name stops the whole
run at collection ("import file mismatch") — on a clean clone, where no cache hides it."""
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_no_two_test_files_share_a_name():
    names = Counter(path.name for path in TESTS.rglob("test_*.py"))

    assert len(names) > 100  # the scan sees the suite
    assert sorted(name for name, count in names.items() if count > 1) == []
