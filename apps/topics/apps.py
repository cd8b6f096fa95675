from django.apps import AppConfig


class TopicsConfig(AppConfig):
    name = "apps.topics"
    label = "topics"

    def ready(self) -> None:
        # Connects the receivers that keep topic matching's cached choices current.
        from apps.topics import signals  # noqa: F401
