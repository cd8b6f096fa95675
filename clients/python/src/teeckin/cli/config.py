"""Where the CLI keeps things: credentials (OS keyring when usable, else a 0600 file), the cached access
token and the offline journal. Nothing is ever written inside the current directory or repository.

Environment variables override the stored login, for CI and for the Claude Code plugin, whose options
reach hooks as ``CLAUDE_PLUGIN_OPTION_<KEY>``.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KEYRING_SERVICE = "teeckin"


def _xdg(variable: str, fallback: str) -> Path:
    base = os.environ.get(variable) or str(Path.home() / fallback)
    return Path(base) / "teeckin"


def config_dir() -> Path:
    return (
        Path(os.environ["TEECKIN_CONFIG_DIR"])
        if os.environ.get("TEECKIN_CONFIG_DIR")
        else _xdg("XDG_CONFIG_HOME", ".config")
    )


def state_dir() -> Path:
    return (
        Path(os.environ["TEECKIN_STATE_DIR"])
        if os.environ.get("TEECKIN_STATE_DIR")
        else _xdg("XDG_STATE_HOME", ".local/state")
    )


def private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def write_private(path: Path, data: Any) -> None:
    """Write JSON readable by the owner only, atomically (a reader never sees half a file)."""
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class Credentials:
    server: str
    client_id: str
    client_secret: str


def _option(*names: str) -> str:
    for name in names:
        for variant in (name, name.upper(), name.lower()):
            value = os.environ.get(variant)
            if value:
                return value.strip()
    return ""


def _keyring() -> Any:
    """The OS keyring, or None when the package or a real backend is missing (headless Linux, CI)."""
    if os.environ.get("TEECKIN_KEYRING", "1") == "0":
        return None
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return None
    return keyring


def credentials_load() -> Credentials | None:
    server = _option("TEECKIN_URL", "CLAUDE_PLUGIN_OPTION_server_url")
    client_id = _option("TEECKIN_CLIENT_ID", "CLAUDE_PLUGIN_OPTION_client_id")
    secret = _option("TEECKIN_CLIENT_SECRET", "CLAUDE_PLUGIN_OPTION_client_secret")
    if server and client_id and secret:
        return Credentials(server.rstrip("/"), client_id, secret)
    stored = read_json(config_dir() / "credentials.json")
    if not stored or not stored.get("server") or not stored.get("client_id"):
        return None
    secret = stored.get("client_secret") or ""
    if not secret and stored.get("keyring"):
        ring = _keyring()
        try:
            secret = (ring and ring.get_password(KEYRING_SERVICE, _keyring_user(stored))) or ""
        except Exception:
            secret = ""
    if not secret:
        return None
    return Credentials(stored["server"].rstrip("/"), stored["client_id"], secret)


def _keyring_user(stored: dict[str, Any]) -> str:
    return f"{stored['client_id']}@{stored['server']}"


def credentials_save(credentials: Credentials) -> str:
    """Store the login; returns where the secret went (for the user to read)."""
    stored: dict[str, Any] = {"server": credentials.server, "client_id": credentials.client_id}
    ring = _keyring()
    if ring is not None:
        try:
            ring.set_password(KEYRING_SERVICE, _keyring_user(stored), credentials.client_secret)
            stored["keyring"] = True
        except Exception:
            ring = None
    if ring is None:
        stored["client_secret"] = credentials.client_secret
    path = config_dir() / "credentials.json"
    write_private(path, stored)
    return "the OS keyring" if ring is not None else str(path)


def _token_path() -> Path:
    return config_dir() / "token.json"


def token_cached(credentials: Credentials) -> tuple[str, float] | None:
    """The cached access token and its expiry, if it belongs to these credentials."""
    cached = read_json(_token_path())
    if not cached or (cached.get("server"), cached.get("client_id")) != (
        credentials.server,
        credentials.client_id,
    ):
        return None
    token = cached.get("access_token")
    return (str(token), float(cached.get("expires_at", 0))) if token else None


def token_store(credentials: Credentials, token: str, expires_at: float) -> None:
    write_private(
        _token_path(),
        {
            "server": credentials.server,
            "client_id": credentials.client_id,
            "access_token": token,
            "expires_at": expires_at,
        },
    )


def token_forget() -> None:
    _token_path().unlink(missing_ok=True)
