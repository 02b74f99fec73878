"""docstore's public API is ``docstore`` itself: what its users outside the repository's code
(bench/) import is exported there and described in docstore/README.md, whose cited anchors exist."""
import ast
import re
from pathlib import Path

import docstore

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "docstore" / "README.md"


def docstore_imports(path):
    """``(module, name)`` of every ``from docstore… import name`` and ``(module, None)`` of every
    ``import docstore…`` in the file at ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "docstore":
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names if alias.name.split(".")[0] == "docstore"]
    return found


def test_bench_imports_only_the_public_names_of_docstore():
    imports = {path.name: docstore_imports(path) for path in sorted((ROOT / "bench").glob("*.py"))}
    assert any(imports.values()), "bench/ imports nothing from docstore: the test would pass vacuously"
    for name, found in imports.items():
        for module, imported in found:
            assert module == "docstore", f"bench/{name} imports {module}: use the names docstore exports"
            assert imported in docstore.__all__, f"bench/{name} imports docstore.{imported}, not exported"


def test_every_exported_name_is_in_the_readme_public_api_table():
    section = README.read_text().split('<a id="public-api"></a>', 1)[1].split("<a id=", 1)[0]
    described = set(re.findall(r"`(\w+)", section))
    assert sorted(set(docstore.__all__) - described) == []


def test_every_anchor_the_code_cites_in_the_readme_exists():
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', README.read_text()))
    cited = {}
    for path in list((ROOT / "docstore").glob("*.py")) + list((ROOT / "bench").glob("*.py")):
        for anchor in re.findall(r"docstore/README\.md#([\w-]+)", path.read_text()):
            cited.setdefault(anchor, []).append(path.name)
    assert cited, "nothing cites docstore/README.md: the test would pass vacuously"
    assert {anchor: files for anchor, files in cited.items() if anchor not in anchors} == {}
