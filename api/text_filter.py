"""The text filter of the influencer lists: a full-text search on handle, name and bio."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from api.params import NO_NUL
from graph.store import Store

Text = Annotated[
    str | None,
    Query(
        max_length=200,
        pattern=NO_NUL,
        description="only accounts whose handle, name or bio match these words (prefixes; "
        "the 10,000 best matches)",
    ),
]


def matching_ids(store: Store, text: str | None) -> list[str] | None:
    """The ids a text filter keeps (None: no filter; an empty list: nothing matched)."""
    if text is None or not text.strip():
        return None
    return store.search_ids(text)
