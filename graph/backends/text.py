"""Turning a person's search text into terms both full-text engines accept safely."""

from __future__ import annotations

import re

_TERM = re.compile(r"\w+", re.UNICODE)


def fulltext_terms(text: str, *, max_terms: int = 8) -> list[str]:
    """Word characters only, so no query-language operator from user text reaches the engine.

    >>> fulltext_terms('vegan "trail" OR <b>run*</b>')
    ['vegan', 'trail', 'or', 'b', 'run', 'b']
    """
    return [term.lower() for term in _TERM.findall(text)][:max_terms]
