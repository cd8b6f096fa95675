from django.apps import AppConfig


class ClockedTimesConfig(AppConfig):
    name = "apps.clocked_times"
    label = "clocked_times"
    verbose_name = "Time entries"  # the admin's heading; the label alone reads "CLOCKED_TIMES"
