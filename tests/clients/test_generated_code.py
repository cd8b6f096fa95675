"""The SDKs' committed generated code matches what scripts/sdk_generate.py makes from today's views.

Regenerated into a temporary directory and compared file by file, so the check needs no clean work tree
(unlike ``git diff --exit-code``). After changing an endpoint: ``make sdk`` and commit the result.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from tests.clients.node import ROOT, node_modules_ready, npm_or_skip


def _generator():  # scripts/ is not a package: load the script as a module
    spec = importlib.util.spec_from_file_location("sdk_generate", ROOT / "scripts/sdk_generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_committed_generated_code_is_up_to_date(tmp_path: Path):
    node_modules_ready(npm_or_skip())
    generator = _generator()
    generator.generate(tmp_path)
    stale = [
        str(relative)
        for relative in generator.GENERATED_FILES
        if (tmp_path / relative).read_bytes() != (ROOT / relative).read_bytes()
    ]
    assert not stale, f"Generated code is stale: {stale}. Run `make sdk` and commit the result."
