from django.apps import AppConfig


class ClockedTimesConfig(AppConfig):
    name = "apps.clocked_times"
    label = "clocked_times"
