from celery import shared_task

from apps.agents.services import access_tokens_clear_expired


@shared_task
def access_tokens_clear_expired_task() -> int:
    return access_tokens_clear_expired()
