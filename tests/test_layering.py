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
    """The webhooks app stores and delivers what the apps above it emit, organizations among them; each of
    them builds its own payloads (their ``events.py``). Its rows name their organization by a string
    reference, so only its HTTP endpoints (which stand on the API's base view and actor like every
    endpoint) import anything but core: no cycle with organizations, whose membership events it carries."""
    imported = _imports_of("webhooks")
    endpoints_only = {
        "agents": "apps.agents.api.base",
    }
    outside_api = {
        app: [where for where in places if not where.startswith("apps/webhooks/api/")]
        for app, places in imported.items()
    }
    assert {app for app, places in outside_api.items() if places} <= {"core"}
    for app, module in endpoints_only.items():
        assert all(where.endswith(f"imports {module}") for where in imported.get(app, [])), imported[app]
    assert set(imported) <= {"core", "organizations", *endpoints_only}


def test_topics_knows_nothing_of_time_entries():
    """Time entries point at topics, not the other way round: recent topics are read through the relation
    ClockedTime declares on Topic."""
    assert "clocked_times" not in _imports_of("topics")


def test_agents_imports_no_webhooks():
    """The credential lookup's has-webhooks hint goes through organizations (request_hints), not webhooks."""
    assert "webhooks" not in _imports_of("agents")


def test_organizations_imports_no_catalogue_app():
    """The tenant sits below topics and tags; the demo command that fills all of them lives in the web app."""
    imported = _imports_of("organizations")
    assert "topics" not in imported and "tags" not in imported
