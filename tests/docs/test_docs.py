"""The documentation holds together: links and anchors resolve, nothing points outside the repository,
the README stays a short guide and its configuration table keeps up with the settings."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".git", ".venv", "node_modules", "var", ".pytest_cache", ".ruff_cache"}
README_MAX_BYTES = 10 * 1024
IMAGE_MAX_BYTES = 200 * 1024

FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
# [text](target) and ![alt](target); a target may carry a "title".
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
# A relative path that climbs out of its folder, in prose or in code (`../shared/spec/…`).
CLIMBING_PATH = re.compile(r"(?<![\w./])((?:\.\./)+[\w.-][^\s`'\")\]]*)")
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def markdown_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*.md"):
        if not SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts):
            files.append(path)
    return sorted(files)


def prose(text: str) -> str:
    """The text without fenced code blocks and code spans, where links are not links."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading keeps its text
    text = text.replace("`", "").strip().lower()
    kept = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN")
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    result = set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text())):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def inside_repository(path: Path) -> bool:
    return path.resolve().is_relative_to(ROOT)


DOCS = markdown_files()


def test_the_documents_are_found() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in DOCS}
    assert {"README.md", "docs/api.md", "docs/design.md", "docs/glossary.md", "docs/benchmarks.md"} <= names


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_relative_link_and_anchor_resolves(doc: Path) -> None:
    broken = []
    for target in LINK.findall(prose(doc.read_text())):
        if SCHEME.match(target) or target.startswith("//"):
            continue  # a web address: not ours to check offline
        file_part, _, anchor = target.partition("#")
        linked = (doc.parent / file_part) if file_part else doc
        if target.startswith("/") or not inside_repository(linked):
            broken.append(f"{target}: outside the repository")
        elif not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no heading #{anchor} in {linked.relative_to(ROOT)}")
    assert not broken, broken


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_no_document_names_a_file_outside_the_repository(doc: Path) -> None:
    text = doc.read_text()
    climbing = CLIMBING_PATH.findall(text)
    outside = [path for path in climbing if not inside_repository(doc.parent / path.split("#")[0])]
    assert not outside, outside
    assert "shared/spec" not in text


def test_the_readme_is_a_short_guide() -> None:
    size = len((ROOT / "README.md").read_bytes())
    assert size <= README_MAX_BYTES, f"README.md is {size} bytes: move detail into docs/"


def test_the_screenshots_stay_small() -> None:
    images = sorted((ROOT / "docs" / "img").glob("*.png"))
    assert images
    assert all(image.stat().st_size < IMAGE_MAX_BYTES for image in images), [
        (image.name, image.stat().st_size) for image in images
    ]


def environment_variables_read() -> set[str]:
    """Every variable the settings (and the ASGI entry point) read from the environment."""
    names = set()
    for source in ("config/settings/base.py", "config/asgi.py"):
        text = (ROOT / source).read_text()
        names |= set(re.findall(r"env_(?:bool|int|list)\(\s*\"([A-Z0-9_]+)\"", text))
        names |= set(re.findall(r"os\.environ\.get\(\s*\"([A-Z0-9_]+)\"", text))
    return names


def test_the_configuration_table_names_every_environment_variable() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", section))
    read = environment_variables_read()
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_THREADS"} <= read  # the scan itself works
    missing = sorted(read - documented)
    assert not missing, f"missing from the README's configuration table: {missing}"
    assert "ADDR" in documented  # ./dev run's address, read by the script and demo_setup


def test_env_example_names_every_environment_variable() -> None:
    """Docker Compose reads .env, made from .env.example: every setting should be found there too."""
    example = (ROOT / ".env.example").read_text()
    missing = sorted(name for name in environment_variables_read() if not re.search(rf"\b{name}\b", example))
    assert not missing, f"missing from .env.example: {missing}"
