"""Settings of the reliability benchmarks: production settings with rate limits high enough that one
client's write loop is never refused (the point is the dependencies, not the limits)."""

from config.settings.base import *  # noqa: F403
from config.settings.base import RATELIMITS

RATELIMITS = {
    **RATELIMITS,
    "BUCKETS": {**RATELIMITS["BUCKETS"], "read": "100000/m", "write": "100000/m", "timer": "100000/m"},
}
