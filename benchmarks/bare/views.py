"""The floor the hot endpoints are measured against: plain Django views doing the minimal SQL of the same
work with raw psycopg cursors, no ORM, no DRF, no validation beyond what the SQL needs.

Each view authenticates like the real endpoint must (one indexed read of the token digest joined to its
agent), then does the endpoint's essential statements. They exist only in the benchmark URLconf.
"""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
from datetime import timedelta

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

TOKEN_READ = """
    SELECT t.expires, a.user_id, a.organization_id, a.id
    FROM oauth2_provider_accesstoken t JOIN agents_agent a ON a.id = t.application_id
    WHERE t.token_checksum = %s
"""


def _caller(request: HttpRequest) -> tuple[int, str, int] | None:
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    with connection.cursor() as cursor:
        cursor.execute(TOKEN_READ, [hashlib.sha256(token.encode()).hexdigest()])
        row = cursor.fetchone()
    if row is None or row[0] < timezone.now():
        return None
    return row[1], row[2], row[3]


@functools.cache
def _entry_defaults() -> dict[str, object]:
    """Every column of a time entry with its model default (empty provenance, type "timer"...), read once:
    the INSERT then stays valid as the model gains columns."""
    from apps.clocked_times.models import ClockedTime

    return {field.column: field.get_default() for field in ClockedTime._meta.concrete_fields}


def _unauthorized() -> JsonResponse:
    return JsonResponse({"error": "invalid token"}, status=401)


def bare_timer_status(request: HttpRequest) -> JsonResponse:
    caller = _caller(request)
    if caller is None:
        return _unauthorized()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, t.name, c.start_time FROM clocked_times_clockedtime c "
            "JOIN topics_topic t ON t.id = c.topic_id WHERE c.user_id = %s AND c.end_time IS NULL LIMIT 1",
            [caller[0]],
        )
        row = cursor.fetchone()
    if row is None:
        return JsonResponse({"running": False})
    return JsonResponse({"running": True, "clockedTimeId": row[0], "topic": row[1], "startedAt": row[2]})


@csrf_exempt
def bare_timer_start(request: HttpRequest) -> JsonResponse:
    caller = _caller(request)
    if caller is None:
        return _unauthorized()
    user_id, organization_id, agent_id = caller
    topic_name = json.loads(request.body)["topic"]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM topics_topic WHERE organization_id = %s AND name = %s",
            [organization_id, topic_name],
        )
        topic_id = cursor.fetchone()[0]
        cursor.execute("SELECT id FROM auth_user WHERE id = %s FOR UPDATE", [user_id])
        now = timezone.now()  # under the lock: the entry this stops began before it
        cursor.execute(
            "UPDATE clocked_times_clockedtime SET end_time = %s, updated_at = %s "
            "WHERE user_id = %s AND agent_id = %s AND session = '' AND end_time IS NULL",
            [now, now, user_id, agent_id],
        )
        entry_id = "ct-" + secrets.token_hex(8)
        values = {
            **_entry_defaults(),
            "id": entry_id,
            "organization_id": organization_id,
            "user_id": user_id,
            "topic_id": topic_id,
            "start_time": now,
            "agent_id": agent_id,
            "created_at": now,
            "updated_at": now,
        }
        cursor.execute(
            f"INSERT INTO clocked_times_clockedtime ({', '.join(values)}) "
            f"VALUES ({', '.join(['%s'] * len(values))})",
            list(values.values()),
        )
    return JsonResponse({"clockedTimeId": entry_id, "topic": topic_name}, status=201)


@csrf_exempt
def bare_timer_stop(request: HttpRequest) -> JsonResponse:
    caller = _caller(request)
    if caller is None:
        return _unauthorized()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT id FROM auth_user WHERE id = %s FOR UPDATE", [caller[0]])
        now = timezone.now()
        cursor.execute(
            "UPDATE clocked_times_clockedtime SET end_time = %s, updated_at = %s "
            "WHERE user_id = %s AND agent_id = %s AND session = '' AND end_time IS NULL RETURNING id",
            [now, now, caller[0], caller[2]],
        )
        row = cursor.fetchone()
    if row is None:
        return JsonResponse({"error": "no active timer"}, status=404)
    return JsonResponse({"clockedTimeId": row[0]})


@csrf_exempt
def bare_token(request: HttpRequest) -> JsonResponse:
    client_id = request.POST["client_id"]
    secret_digest = hashlib.sha256(request.POST["client_secret"].encode()).hexdigest()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.id, s.id FROM agents_agent a JOIN agents_agentsecret s ON s.agent_id = a.id "
            "WHERE a.client_id = %s AND a.active AND s.digest = %s AND s.revoked_at IS NULL",
            [client_id, secret_digest],
        )
        row = cursor.fetchone()
        if row is None:
            return JsonResponse({"error": "invalid_client"}, status=401)
        token = "tat_" + secrets.token_urlsafe(32)
        now = timezone.now()
        cursor.execute(
            "INSERT INTO oauth2_provider_accesstoken (token, token_checksum, application_id, expires, scope, "
            "resource, created, updated) VALUES (%s, %s, %s, %s, 'agent', '[]', %s, %s) RETURNING id",
            ["", hashlib.sha256(token.encode()).hexdigest(), row[0], now + timedelta(hours=1), now, now],
        )
        token_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO agents_tokenorigin (access_token_id, secret_id) VALUES (%s, %s)", [token_id, row[1]]
        )
    response = JsonResponse({"access_token": token, "token_type": "Bearer", "expires_in": 3600})
    response["Cache-Control"] = "no-store"
    return response
