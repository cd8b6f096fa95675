"""Dependencies flow one way: a lower app never imports a higher one, not even lazily inside a function
(a lazy import is a cycle that hides). Read from the source, so an import in any function counts."""

from __future__ import annotations

import ast
from pathlib import Path

APPS = Path(__file__).resolve().parent.parent / "apps"


def _imports_of(app: str) -> dict[str, list[str]]:
    """Every other app that ``apps/<app>`` imports, anywhere in its code, with where."""
    found: dict[str, list[str]] = {}
    for path in sorted((APPS / app).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                parts = module.split(".")
                if parts[0] == "apps" and len(parts) > 1 and parts[1] != app:
                    where = f"{path.relative_to(APPS.parent)}:{node.lineno} imports {module}"
                    found.setdefault(parts[1], []).append(where)
    return found


def test_core_imports_no_app():
    assert _imports_of("core") == {}


def test_webhooks_imports_no_domain_app():
    """The webhooks app stores and delivers what the apps above it emit; each of them builds its own
    payloads (their ``events.py``). Its rows belong to an organization (the tenant, below it), and its
    HTTP endpoints stand on the API's base view and actor like every endpoint."""
    imported = _imports_of("webhooks")
    endpoints_only = {
        "agents": "apps.agents.api.base",
    }
    outside_api = {
        app: [where for where in places if not where.startswith("apps/webhooks/api/")]
        for app, places in imported.items()
    }
    assert {app for app, places in outside_api.items() if places} <= {"core", "organizations"}
    for app, module in endpoints_only.items():
        assert all(where.endswith(f"imports {module}") for where in imported.get(app, [])), imported[app]
    assert set(imported) <= {"core", "organizations", *endpoints_only}
