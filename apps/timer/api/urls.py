from django.urls import path

from apps.timer.api import views

agent_urlpatterns = [
    path("timer", views.AgentTimerView.as_view(), name="agent-timer"),
    path("timer/start", views.AgentTimerStartView.as_view(), name="agent-timer-start"),
    path("timer/stop", views.AgentTimerStopView.as_view(), name="agent-timer-stop"),
    path("timer/tags", views.AgentTimerTagsView.as_view(), name="agent-timer-tags"),
    path("timer/heartbeat", views.AgentTimerHeartbeatView.as_view(), name="agent-timer-heartbeat"),
]

urlpatterns = [
    path("timer/start", views.TimerStartView.as_view(), name="timer-start"),
    path("timer/stop", views.TimerStopView.as_view(), name="timer-stop"),
    path("timer/active", views.TimerActiveView.as_view(), name="timer-active"),
    path("timer/heartbeat", views.TimerHeartbeatView.as_view(), name="timer-heartbeat"),
    path("timers/running", views.TimersRunningView.as_view(), name="timers-running"),
]
