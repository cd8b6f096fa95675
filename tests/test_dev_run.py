"""What ``./dev run`` prints: addresses that follow ADDR, and commands that work as pasted.

Running ``./dev run`` itself takes minutes (install, migrate) and serves until stopped; these tests run its
pieces: ``demo_setup``'s sign-in line and the banner (scripts/dev_banner.py), whose commands are run with
sh and curl against a live server.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from apps.clocked_times.models import ClockedTime
from tests.fixtures.asgi_server import LiveAsgiServer
from tests.fixtures.auth import make_agent

ROOT = Path(__file__).resolve().parents[1]
ADDRESS = "127.0.0.1:8765"


def _banner_module() -> Any:  # scripts/ is not a package: load the script as a module
    spec = importlib.util.spec_from_file_location("dev_banner", ROOT / "scripts/dev_banner.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_printed_url_uses_addr(db: None, settings: Any, tmp_path: Path, monkeypatch, capsys) -> None:
    settings.BASE_DIR = tmp_path
    monkeypatch.setenv("ADDR", ADDRESS)
    call_command("demo_setup")
    printed = capsys.readouterr().out
    printed += _banner_module().banner(ADDRESS, {"client_id": "teeckin_agent_x", "client_secret": "tcs_x"})

    urls = re.findall(r"https?://[^\s\"'/]+", printed)
    assert len(urls) >= 6
    assert set(urls) == {f"http://{ADDRESS}"}
    assert f"http://{ADDRESS}/admin/" in printed


def test_the_banner_reads_createagent_json_on_stdin() -> None:
    credentials = {"client_id": "teeckin_agent_x", "client_secret": "tcs_x"}
    result = subprocess.run(
        [sys.executable, "scripts/dev_banner.py", ADDRESS],
        input=json.dumps(credentials),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert result.stdout.startswith(f"Demo agent: {json.dumps(credentials)}\n")
    assert f"claude mcp add --transport http teeckin http://{ADDRESS}/mcp" in result.stdout


def test_the_printed_token_and_json_start_commands_work_as_pasted(
    asgi_server: LiveAsgiServer, transactional_db: None, owner: Any, research: Any
) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    agent = make_agent(owner)
    address = asgi_server.url.removeprefix("http://")
    printed = _banner_module().banner(
        address, {"client_id": agent.client_id, "client_secret": agent.client_secret}
    )
    # The copy-paste lines: the token, the JSON start call and the read of the running timer.
    commands = [line.strip() for line in printed.splitlines() if line.startswith(("  TOKEN=", "  curl "))]
    assert len(commands) == 3
    assert """-H 'Content-Type: application/json' -d '{"topic": "Research"}'""" in commands[1]

    result = subprocess.run(
        ["sh", "-ec", "\n".join(commands)], capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 0, result.stderr
    started, running = (json.loads(line) for line in result.stdout.replace("}{", "}\n{").splitlines())
    assert started["topic"]["name"] == running["topic"]["name"] == "Research", result.stdout
    entry = ClockedTime.objects.get(user=owner, end_time__isnull=True)
    assert entry.topic == research and entry.agent == agent.agent
