from celery import shared_task

from apps.timer.services import timer_autostop_overdue, timer_idle_stop


@shared_task(ignore_result=True)
def timers_autostop() -> int:
    return len(timer_autostop_overdue())


@shared_task(ignore_result=True)
def timers_idle_stop() -> int:
    return len(timer_idle_stop())
