from django.apps import AppConfig


class RatelimitsConfig(AppConfig):
    name = "apps.ratelimits"
    label = "ratelimits"
