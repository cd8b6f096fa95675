from celery import shared_task

from apps.agents.services import access_tokens_clear_expired, registrations_prune_unused


@shared_task
def access_tokens_clear_expired_task() -> int:
    return access_tokens_clear_expired()


@shared_task
def registrations_prune_unused_task() -> int:
    return registrations_prune_unused()
