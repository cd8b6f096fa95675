"""The beat schedule names real tasks (the jobs themselves are tested with their services)."""

from django.conf import settings

from config.celery import app


def test_every_scheduled_job_is_a_registered_task():
    app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert names == {
        "apps.webhooks.tasks.webhook_deliveries_sweep",
        "apps.webhooks.tasks.webhook_logs_prune",
        "apps.timer.tasks.timers_autostop",
        "apps.timer.tasks.timers_idle_stop",
        "apps.agents.tasks.access_tokens_clear_expired_task",
        "apps.agents.tasks.registrations_prune_unused_task",
        "apps.idempotency.tasks.idempotency_keys_prune",
    }
    assert names <= set(app.tasks)
