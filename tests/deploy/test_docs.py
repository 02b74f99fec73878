"""The documentation a clone carries is whole: no file refers to documents outside the repository,
every `docs/<file>.md#<anchor>` that code or documentation cites exists, and every relative link in
the Markdown pages resolves (docs/README.md says how pages are cited)."""
import re
import subprocess
from pathlib import Path

import pytest

ROOT = next(parent for parent in Path(__file__).resolve().parents if (parent / "pyproject.toml").exists())
# Written in two parts so that this file does not mention what it forbids.
OUTSIDE_REFERENCES = ("../" + "shared", "design" + ".md")
# Directories that are not the repository's own files when git cannot say which files are.
NOT_OURS = {".git", ".venv", "var", "node_modules", "test-artifacts", "__pycache__", ".pytest_cache",
            ".mypy_cache", ".ruff_cache"}
CITATION = re.compile(r"(?<![\w.-])(?:\.\./)*docs/([\w.-]+\.md)(?:#([\w-]+))?")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
EXPLICIT_ANCHOR = re.compile(r"""<a\s+(?:id|name)=["']([^"']+)["']""")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
FENCED = re.compile(r"^```.*?^```", re.M | re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")


def repository_files():
    """The files git would commit (tracked, or new and not ignored); a walk of the tree without git."""
    try:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                                cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
        paths = [ROOT / name for name in listed if name]
    except (OSError, subprocess.CalledProcessError):
        paths = [path for path in ROOT.rglob("*") if not NOT_OURS & set(path.relative_to(ROOT).parts)]
    return sorted(path for path in paths if path.is_file())


def text_of(path):
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None


def markdown_pages():
    return sorted({ROOT / "README.md", *(ROOT / "docs").glob("*.md"),
                   *(path for path in ROOT.glob("*/README.md") if path.parent.name not in NOT_OURS)})


def heading_slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = INLINE_CODE.sub(lambda match: match.group(0).strip("`"), heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors_of(page):
    text = FENCED.sub("", page.read_text(encoding="utf-8"))
    return set(EXPLICIT_ANCHOR.findall(text)) | {heading_slug(heading) for heading in HEADING.findall(text)}


def links_of(page):
    """Relative link targets of a page, outside code."""
    text = INLINE_CODE.sub("", FENCED.sub("", page.read_text(encoding="utf-8")))
    return [target for target in LINK.findall(text) if not re.match(r"^[a-z][a-z0-9+.-]*:", target)]


FILES = repository_files()


def test_the_repository_has_files_and_pages_to_check():
    assert len(FILES) > 100 and ROOT / "README.md" in FILES
    assert len(markdown_pages()) >= 10


def test_no_file_refers_to_documents_outside_the_repository():
    offenders = []
    for path in FILES:
        text = text_of(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if any(reference in line for reference in OUTSIDE_REFERENCES):
                offenders.append("{}:{}: {}".format(path.relative_to(ROOT), number, line.strip()))
    assert offenders == []


def test_every_cited_docs_page_and_anchor_exists():
    anchors = {}
    missing = []
    for path in FILES:
        text = text_of(path)
        if text is None:
            continue
        for page_name, anchor in CITATION.findall(text):
            page = ROOT / "docs" / page_name
            where = "{} cites docs/{}{}".format(path.relative_to(ROOT), page_name, "#" + anchor if anchor else "")
            if not page.is_file():
                missing.append(where + ": no such page")
            elif anchor and anchor not in anchors.setdefault(page, anchors_of(page)):
                missing.append(where + ": no such anchor")
    assert missing == []


@pytest.mark.parametrize("page", markdown_pages(), ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    broken = []
    for target in links_of(page):
        file_part, _, anchor = target.partition("#")
        linked = (page.parent / file_part).resolve() if file_part else page
        if not linked.exists():
            broken.append(target + ": no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors_of(linked):
            broken.append(target + ": no such anchor")
    assert broken == []


def test_the_slugs_are_githubs():
    assert heading_slug("503 and 504 mean \"not done\"") == "503-and-504-mean-not-done"
    assert heading_slug("`make run` keeps the system up") == "make-run-keeps-the-system-up"
    assert heading_slug("Open311 (GeoReport v2)") == "open311-georeport-v2"
