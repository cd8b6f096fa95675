from django.urls import path

from apps.web.views import accounts, agents, dashboard, organization, reports, timesheet

app_name = "web"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("timers/<str:entry_id>/stop", dashboard.timer_stop_view, name="timer-stop"),
    path("timesheet/", timesheet.timesheet, name="timesheet"),
    path("timesheet/entries/new", timesheet.entry_create, name="entry-create"),
    path("timesheet/entries/<str:entry_id>", timesheet.entry_row, name="entry"),
    path("timesheet/entries/<str:entry_id>/edit", timesheet.entry_edit, name="entry-edit"),
    path("timesheet/entries/<str:entry_id>/delete", timesheet.entry_delete, name="entry-delete"),
    path("reports/", reports.reports, name="reports"),
    path("reports/export.csv", reports.reports_csv, name="reports-csv"),
    path("settings/profile/", accounts.profile, name="profile"),
    path("settings/agents/", agents.agents, name="agents"),
    path("settings/agents/<str:client_id>/", agents.agent_detail, name="agent"),
    path("settings/agents/<str:client_id>/secrets/", agents.agent_secrets, name="agent-secrets"),
    path(
        "settings/agents/<str:client_id>/secrets/rotate", agents.agent_secret_rotate_view, name="agent-rotate"
    ),
    path(
        "settings/agents/<str:client_id>/secrets/<int:secret_id>/revoke",
        agents.agent_secret_revoke_view,
        name="agent-secret-revoke",
    ),
    path("settings/agents/<str:client_id>/active", agents.agent_active_view, name="agent-active"),
    path("settings/api-keys/", agents.api_keys, name="api-keys"),
    path("settings/api-keys/<int:key_id>/revoke", agents.api_key_revoke_view, name="api-key-revoke"),
    path("settings/topics/", organization.topics, name="topics"),
    path("settings/topics/<str:topic_id>/archive", organization.topic_archive, name="topic-archive"),
    path("settings/topics/<str:topic_id>/aliases", organization.topic_alias_add, name="topic-alias-add"),
    path(
        "settings/topics/aliases/<str:alias_id>/remove",
        organization.topic_alias_remove,
        name="topic-alias-remove",
    ),
    path(
        "settings/topics/<str:topic_id>/repositories",
        organization.topic_repository_bind,
        name="topic-repository-bind",
    ),
    path(
        "settings/topics/repositories/<str:binding_id>/remove",
        organization.topic_repository_unbind,
        name="topic-repository-unbind",
    ),
    path("settings/organization/", organization.organization, name="organization"),
    path(
        "settings/organization/members/<str:membership_id>/role", organization.member_role, name="member-role"
    ),
    path(
        "settings/organization/members/<str:membership_id>/remove",
        organization.member_remove,
        name="member-remove",
    ),
    path(
        "settings/organization/deliveries/<str:delivery_id>/redeliver",
        organization.delivery_redeliver_view,
        name="delivery-redeliver",
    ),
]
