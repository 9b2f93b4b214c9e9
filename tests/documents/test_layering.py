"""The documents app sits beside core: it imports no other app of the project."""

import ast
from pathlib import Path

import governance.documents

# ReadOnlyAdmin is moving to governance.core.admin; until then the admin borrows it from decisions.
ALLOWED_EXCEPTIONS = {("admin.py", "governance.decisions.admin")}


def test_documents_imports_only_core(db):
    root = Path(governance.documents.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if not name.startswith("governance.") or name.startswith(
                    ("governance.core", "governance.documents")
                ):
                    continue
                if (path.name, name) not in ALLOWED_EXCEPTIONS:
                    found.append(f"{path.relative_to(root)}: {name}")
    assert found == []
