from django.apps import AppConfig


class RatelimitsConfig(AppConfig):
    name = "apps.ratelimits"
    label = "ratelimits"

    def ready(self) -> None:
        from apps.ratelimits import checks  # noqa: F401  (registers the settings check)
