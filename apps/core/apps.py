from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"

    def ready(self) -> None:
        from apps.core import checks  # noqa: F401  (registers the deployment checks)

        # Before any URLconf is imported: the apps' API paths use <id:…>.
        from apps.core.api import converters

        converters.register()
