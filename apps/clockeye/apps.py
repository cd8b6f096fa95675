from django.apps import AppConfig


class ClockEyeConfig(AppConfig):
    name = "apps.clockeye"
    label = "clockeye"
