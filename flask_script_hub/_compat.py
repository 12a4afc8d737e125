"""Every use of another library's private API in the core, in one place.

Targets :mod:`argparse` of Python 3.11 to 3.13, whose ``ArgumentParser._actions`` (the actions in
the order they were added) and ``_option_string_actions`` (option string -> action) have been
stable since Python 3.2. When either is missing, the fallbacks degrade the features built on them
(telling which manager options were given; the hint that manager options go before the
command) to nothing, never to an error.
"""

from __future__ import annotations

import argparse

__all__ = ["parser_actions", "parser_option_strings"]


def parser_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """The actions of ``parser`` in the order they were added (``[]`` if unknown)."""
    return list(getattr(parser, "_actions", []))


def parser_option_strings(parser: argparse.ArgumentParser) -> set[str]:
    """The option strings ``parser`` accepts (``{"-c", "--config", ...}``; empty if unknown)."""
    return set(getattr(parser, "_option_string_actions", {}))
