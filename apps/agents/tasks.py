from celery import shared_task


@shared_task(ignore_result=True)
def oauth_tokens_clear_expired() -> None:
    # django-oauth-toolkit's own cleanup: expired access tokens, refresh tokens, id tokens and grants.
    # If the agents app grows its own cleanup service, point this one line at it.
    from oauth2_provider.models import clear_expired

    clear_expired()
