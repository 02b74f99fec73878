"""The ES modules a page's script pulls in (docs/web.md#templates): the base template names each
as ``<link rel="modulepreload">``, so a browser on a slow connection fetches them all at once
instead of discovering them one level of imports at a time. Static imports only: a dynamic
``import("./x.js")`` is loaded later on purpose."""
import posixpath
import re
from pathlib import Path

# a static import or re-export of a module of this tree: import { a } from "./x.js"; import "./y.js"
STATIC_IMPORT = re.compile(r"""^\s*(?:import\s*|(?:import|export)\b[^;"']*?\bfrom\s*)["'](\.{1,2}/[^"']+)["']""", re.M)


def imports_of(root: Path, script: str) -> list[str]:
    """Every module ``script`` (a path under ``root``) imports, directly or not, in the order found."""
    found: list[str] = []
    pending = [script]
    while pending:
        module = pending.pop(0)
        for source in STATIC_IMPORT.findall((root / module).read_text()):
            imported = posixpath.normpath(posixpath.join(posixpath.dirname(module), source))
            if imported != script and imported not in found:
                found.append(imported)
                pending.append(imported)
    return found
