"""The installed ``teeckin`` command against a live server: login, tracking, errors, the offline queue."""

from __future__ import annotations

import json
import stat
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apps.clocked_times.models import ClockedTime
from tests.ratelimits.helpers import set_limits

from .conftest import Cast, Cli, TcpProxy


def login(cli: Cli, proxy: TcpProxy, cast: Cast) -> None:
    done = cli(
        "login",
        "--server",
        proxy.url,
        "--client-id",
        cast.agent.client_id,
        "--client-secret",
        cast.agent.client_secret,
    )
    assert done.returncode == 0, done.stderr
    assert "Olivia's laptop" in done.stdout


def assert_no_traceback(done: Any) -> None:
    assert "Traceback" not in done.stdout + done.stderr


def test_login_checks_the_credentials_and_keeps_them_private(cli: Cli, proxy: TcpProxy, cast: Cast) -> None:
    wrong = cli(
        "login", "--server", proxy.url, "--client-id", cast.agent.client_id, "--client-secret", "nope"
    )
    assert wrong.returncode == 4
    assert "(invalid_client)" in wrong.stderr.lower() or "INVALID" in wrong.stderr
    assert_no_traceback(wrong)
    assert not (cli.state.parent / "config" / "credentials.json").exists()

    login(cli, proxy, cast)
    stored = cli.state.parent / "config" / "credentials.json"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert json.loads(stored.read_text())["client_secret"] == cast.agent.client_secret
    token = cli.state.parent / "config" / "token.json"
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    assert json.loads(token.read_text())["expires_at"] > time.time() + 3000


def test_login_keeps_the_secret_in_the_os_keyring_when_there_is_one(
    cli: Cli, proxy: TcpProxy, cast: Cast
) -> None:
    keyring_file = cli.state.parent / "keyring.json"
    cli.env.update(
        TEECKIN_KEYRING="1",
        PYTHON_KEYRING_BACKEND="file_keyring.FileKeyring",
        PYTHONPATH=str(Path(__file__).parent),
        TEECKIN_TEST_KEYRING_FILE=str(keyring_file),
    )
    login(cli, proxy, cast)
    stored = json.loads((cli.state.parent / "config" / "credentials.json").read_text())
    assert "client_secret" not in stored
    assert stored["keyring"] is True
    assert cast.agent.client_secret in json.loads(keyring_file.read_text()).values()
    # A later run reads the secret back from the keyring (no cached token to lean on).
    (cli.state.parent / "config" / "token.json").unlink()
    assert cli("status").returncode == 0


def test_start_status_log_stop_today(cli: Cli, proxy: TcpProxy, cast: Cast) -> None:
    login(cli, proxy, cast)

    started = cli("start", "projct alpah", "-m", "review the spec", "-t", "bug-fix")
    assert started.returncode == 0, started.stderr
    assert "Started Project Alpha" in started.stdout
    entry = ClockedTime.objects.get(user=cast.user, end_time__isnull=True)
    assert (entry.topic.name, entry.notes) == ("Project Alpha", "review the spec")
    assert entry.agent_id == cast.agent.agent.pk
    assert [tag.name for tag in entry.tags.all()] == ["bug-fix"]

    assert cli("notes", "review the spec, then the tests").returncode == 0
    assert "perf" in cli("tag", "perf").stdout
    entry.refresh_from_db()
    assert entry.notes == "review the spec, then the tests"
    assert sorted(tag.name for tag in entry.tags.all()) == ["bug-fix", "perf"]

    status = cli.json("status")
    assert status["running"] is True
    assert status["topic"]["name"] == "Project Alpha"
    assert status["clockedTimeId"] == entry.pk

    began = datetime.now(UTC) - timedelta(hours=5)
    logged = cli.json("log", "1h15m", "research", "-m", "reading", "--at", began.isoformat())
    assert logged["duration"] == 75
    manual = ClockedTime.objects.get(pk=logged["id"])
    assert abs((manual.start_time - began).total_seconds()) < 1
    assert manual.end_time - manual.start_time == timedelta(minutes=75)

    stopped = cli.json("stop", "-m", "done")
    assert stopped["clockedTimeId"] == entry.pk
    entry.refresh_from_db()
    assert entry.end_time is not None
    assert entry.notes == "done"

    today = cli.json("today")
    assert {e["id"] for e in today["entries"]} >= {entry.pk}
    assert today["totalMinutes"] >= 0
    assert "Total:" in cli("today").stdout
    topics = cli("topics")
    assert "Project Alpha" in topics.stdout and "Research" in topics.stdout


def test_a_refusal_prints_the_message_and_code_and_exits_4(cli: Cli, proxy: TcpProxy, cast: Cast) -> None:
    login(cli, proxy, cast)
    human = cli("start", "quantum basket weaving")
    assert human.returncode == 4
    assert "No topic matches" in human.stderr and "(TOPIC_NOT_FOUND)" in human.stderr
    assert_no_traceback(human)

    as_json = cli("stop", "--json")
    assert as_json.returncode == 4
    assert json.loads(as_json.stdout)["code"] == "NO_ACTIVE_TIMER"
    assert not cli.journal()


def test_local_mistakes_exit_1_without_a_traceback(cli: Cli, proxy: TcpProxy, cast: Cast) -> None:
    not_logged_in = cli("status")
    assert not_logged_in.returncode == 1
    assert "NOT_LOGGED_IN" in not_logged_in.stderr
    login(cli, proxy, cast)
    bad = cli("log", "soon", "Research")
    assert bad.returncode == 1
    assert "not a duration" in bad.stderr
    for done in (not_logged_in, bad):
        assert_no_traceback(done)


def test_offline_writes_are_queued_then_replayed_once_with_their_times(
    cli: Cli, proxy: TcpProxy, cast: Cast
) -> None:
    login(cli, proxy, cast)
    assert cli("start", "Project Alpha").returncode == 0
    entry = ClockedTime.objects.get(user=cast.user)

    proxy.down()
    stopped_at = datetime.now(UTC)
    offline_stop = cli("stop", "-m", "written on a train")
    assert offline_stop.returncode == 3, offline_stop.stderr
    assert "queued" in offline_stop.stderr
    offline_log = cli("log", "30m", "Research", "--json")
    assert offline_log.returncode == 3
    assert json.loads(offline_log.stdout)["pending"] == 2
    assert cli("status").returncode == 5  # a read cannot be queued
    journal = cli.journal()
    assert [w["path"] for w in journal] == ["/api/agent/timer/stop", "/api/agent/time"]
    assert all(w["key"] for w in journal)
    assert stat.S_IMODE((cli.state / "journal.jsonl").stat().st_mode) == 0o600
    # A crash between sending a write and striking it from the journal sends it twice: its key makes the
    # second one a replay of the first.
    with open(cli.state / "journal.jsonl", "a") as handle:
        handle.write(json.dumps({**journal[1], "id": "resent"}) + "\n")
    entry.refresh_from_db()
    assert entry.end_time is None

    time.sleep(6)  # so that "when it happened" and "when it was sent" differ measurably
    proxy.up()
    synced = cli.json("sync")
    assert synced == {"sent": 3, "refused": [], "pending": 0}
    assert cli.journal() == []

    entry.refresh_from_db()
    assert entry.notes == "written on a train"
    # Ended when the stop was typed, not when it reached the server.
    assert abs((entry.end_time - stopped_at).total_seconds()) < 3
    assert ClockedTime.objects.filter(user=cast.user).count() == 2
    again = cli.json("sync")
    assert again["sent"] == 0
    assert ClockedTime.objects.filter(user=cast.user).count() == 2


def test_the_next_command_sends_the_queue_first_in_order(cli: Cli, proxy: TcpProxy, cast: Cast) -> None:
    login(cli, proxy, cast)
    proxy.down()
    assert cli("log", "20m", "Research").returncode == 3
    assert cli("start", "Project Alpha", "-t", "perf").returncode == 3
    queued = [write["path"] for write in cli.journal()]
    assert queued == ["/api/agent/time", "/api/agent/timer/start", "/api/agent/timer/tags"]

    proxy.up()
    assert cli.json("status")["topic"]["name"] == "Project Alpha"  # sent the queue, then read
    assert cli.journal() == []
    running = ClockedTime.objects.get(user=cast.user, end_time__isnull=True)
    assert [tag.name for tag in running.tags.all()] == ["perf"]
    assert ClockedTime.objects.filter(user=cast.user).count() == 2


def test_a_queued_write_held_back_by_the_rate_limit_stays_queued(
    cli: Cli, proxy: TcpProxy, cast: Cast, settings: Any
) -> None:
    # One timer operation an hour: the start uses it, and an hour's Retry-After is beyond the CLI's wait.
    settings.RATELIMIT_ENABLE = True
    set_limits(settings, buckets={"timer": "1/h"})
    login(cli, proxy, cast)
    assert cli("start", "Research").returncode == 0
    proxy.down()
    assert cli("stop", "-m", "offline").returncode == 3
    proxy.up()

    held = cli("sync", "--json")
    assert held.returncode == 3
    assert json.loads(held.stdout)["held"]["code"] == "RATE_LIMITED"
    assert [write["path"] for write in cli.journal()] == ["/api/agent/timer/stop"]  # not dropped
    assert ClockedTime.objects.get(user=cast.user).end_time is None

    set_limits(settings, buckets={"timer": "100/m"})
    assert cli.json("sync")["sent"] == 1
    assert ClockedTime.objects.get(user=cast.user).notes == "offline"
