"""What ./dev run prints after the sign-in line: the demo agent and commands that work as pasted.

Reads ``manage.py createagent``'s JSON on stdin; the address (``ADDR``) is the first argument. Every URL
printed uses it, so a server on another port gets commands for that port.
"""

from __future__ import annotations

import json
import shlex
import sys


def banner(address: str, credentials: dict[str, str]) -> str:
    base = f"http://{address}"
    token_request = (
        f"curl -s -X POST {base}/api/oauth/token -d grant_type=client_credentials"
        f" -d client_id={shlex.quote(credentials['client_id'])}"
        f" -d client_secret={shlex.quote(credentials['client_secret'])}"
    )
    read_token = "python3 -c 'import json, sys; print(json.load(sys.stdin)[\"access_token\"])'"
    return "\n".join(
        [
            f"Demo agent: {json.dumps(credentials)}",
            "Get a token (it lasts an hour), then start a timer on the demo topic Research:",
            f"  TOKEN=$({token_request} | {read_token})",
            f'  curl -X POST {base}/api/agent/timer/start -H "Authorization: Bearer $TOKEN"'
            """ -H 'Content-Type: application/json' -d '{"topic": "Research"}'""",
            f'  curl {base}/api/agent/timer -H "Authorization: Bearer $TOKEN"',
            f"API reference: {base}/api/docs",
            "Connect Claude Code (then /mcp in Claude Code signs in through the browser with the admin login"
            " above):",
            f"  claude mcp add --transport http teeckin {base}/mcp",
        ]
    )


if __name__ == "__main__":
    print(banner(sys.argv[1], json.load(sys.stdin)))
