"""The ``teeckin`` command line (``teeckin.cli.app``); ``main`` is the console script's entry point."""

from __future__ import annotations

import sys


def main() -> None:
    # Agents' hooks run on every session event and must return at once: they go straight to the hook
    # handler, which needs only the standard library and the journal (no Click, no HTTP client, no SDK).
    if sys.argv[1:] == ["hook", "claude-code"]:
        from teeckin.cli import hooks

        hooks.claude_code(sys.stdin.read())
        sys.exit(0)
    from teeckin.cli.app import main as app_main

    app_main()


__all__ = ["main"]
