"""Per-request memory of each organization's webhook subscriptions (see services.subscriptions_remembered)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from apps.webhooks.subscriptions import subscriptions_remembered


class WebhookSubscriptionsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with subscriptions_remembered():
            return self.get_response(request)
