"""What the MCP tools return: typed so the SDK publishes each tool's output schema and checks the result.

Field names follow the REST API's agent endpoints (camelCase), so a model reading both sees one shape.
"""

from __future__ import annotations

from typing_extensions import TypedDict  # pydantic needs this one, not typing's, before Python 3.12


class TopicRef(TypedDict):
    id: str
    name: str
    category: str


class TopicItem(TypedDict):
    id: str
    name: str
    recentlyUsed: bool


class CategoryTopics(TypedDict):
    id: str
    name: str
    topics: list[TopicItem]


class ListTopicsOutput(TypedDict):
    categories: list[CategoryTopics]
    recentTopicIds: list[str]
    defaultTopicId: str | None
    organizationGuidance: str


class TimerStatusOutput(TypedDict):
    running: bool
    topic: TopicRef | None
    startedAt: str | None
    elapsedMinutes: int | None
    entryId: str | None
    notes: str | None


class StoppedEntry(TypedDict):
    entryId: str
    topic: TopicRef
    minutes: int | None


class StartTimerOutput(TypedDict):
    started: bool
    entryId: str
    topic: TopicRef
    startedAt: str | None
    tags: list[str]
    stopped: StoppedEntry | None


class StopTimerOutput(TypedDict):
    stopped: bool
    entryId: str
    topic: TopicRef
    minutes: int | None


class LogTimeOutput(TypedDict):
    logged: bool
    entryId: str
    topic: TopicRef
    minutes: int | None


class UpdateNotesOutput(TypedDict):
    updated: bool
    entryId: str
    notes: str


class AddTagsOutput(TypedDict):
    added: bool
    entryId: str
    tags: list[str]


class Entry(TypedDict):
    id: str
    topic: TopicRef
    startedAt: str | None
    endedAt: str | None
    running: bool
    minutes: int
    notes: str
    tags: list[str]


class RecentEntriesOutput(TypedDict):
    entries: list[Entry]


class TopicMinutes(TypedDict):
    topic: TopicRef
    minutes: int


class TimeSummaryOutput(TypedDict):
    period: str
    since: str | None
    totalMinutes: int
    byTopic: list[TopicMinutes]


class HeartbeatOutput(TypedDict):
    running: bool
    entryId: str | None
    lastHeartbeatAt: str | None


class ResolveCandidate(TypedDict):
    id: str
    name: str
    category: str
    score: float


class ResolveBinding(TypedDict):
    pattern: str
    topicId: str


class ResolveError(TypedDict):
    message: str
    code: str


class ResolveTopicOutput(TypedDict):
    query: str | None
    repository: str | None
    resolved: bool
    topic: TopicRef | None
    rule: str
    score: float | None
    candidates: list[ResolveCandidate]
    bindings: list[ResolveBinding]
    error: ResolveError | None
