"""The beat schedule and the housekeeping jobs."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from oauth2_provider.models import AccessToken

from apps.agents.tasks import oauth_tokens_clear_expired
from teeckin.celery import app


def test_every_scheduled_job_is_a_registered_task():
    app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert names == {
        "apps.webhooks.tasks.webhook_deliveries_sweep",
        "apps.webhooks.tasks.webhook_logs_prune",
        "apps.timer.tasks.timers_autostop",
        "apps.agents.tasks.oauth_tokens_clear_expired",
    }
    assert names <= set(app.tasks)


def test_expired_oauth_tokens_are_removed(owner_agent):
    def token(name: str, expires_in: timedelta) -> AccessToken:
        return AccessToken.objects.create(
            user=owner_agent.agent.user,
            application=owner_agent.agent,
            token=name,
            expires=timezone.now() + expires_in,
        )

    token("expired", -timedelta(hours=1))
    live = token("live", timedelta(hours=1))
    oauth_tokens_clear_expired.apply().get()
    assert list(AccessToken.objects.all()) == [live]
