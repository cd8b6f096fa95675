"""Production settings (config.settings.base, read from the environment) with the bare views mounted."""

from config.settings.base import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bare.urls"
