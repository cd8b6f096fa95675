"""The ``teeckin`` command line (``teeckin.cli.app``); ``main`` is the console script's entry point."""

from teeckin.cli.app import main

__all__ = ["main"]
