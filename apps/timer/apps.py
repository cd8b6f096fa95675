from django.apps import AppConfig


class TimerConfig(AppConfig):
    name = "apps.timer"
    label = "timer"
