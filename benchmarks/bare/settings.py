"""Production settings (teeckin.settings.base, read from the environment) with the bare views mounted."""

from teeckin.settings.base import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bare.urls"
