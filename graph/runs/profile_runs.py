"""Two profiles' rankings side by side: each profile's newest kept run, compared as two runs
are (``movement.compare``: the second profile's top N with their rank under the first and
the reasons that changed)."""

from __future__ import annotations

from graph.errors import GraphError
from graph.runs import movement
from graph.runs.history import list_runs
from graph.runs.models import Movement, RunInfo
from graph.store import Store


class ProfileNotRun(GraphError):
    """No kept run was scored with this profile."""

    def __init__(self, profile: str) -> None:
        super().__init__(
            f"no kept run was scored with profile {profile!r}: analyse with it first "
            f"(`resonance analyze --profile {profile}`, or the profile page)"
        )
        self.profile = profile


def newest_run_of(store: Store, profile: str) -> RunInfo:
    """The newest kept run scored with ``profile``, else :class:`ProfileNotRun`."""
    for info in list_runs(store):  # newest first
        if info.profile == profile:
            return info
    raise ProfileNotRun(profile)


def compare_profiles(
    store: Store, first: str, second: str, *, top: int = movement.TOP
) -> tuple[RunInfo, RunInfo, list[Movement]]:
    """``first``'s and ``second``'s newest runs and ``second``'s top ``top`` accounts, each
    with its standing under ``first``."""
    before, after = newest_run_of(store, first), newest_run_of(store, second)
    _, _, items = movement.compare(store, earlier=before.id, later=after.id, top=top)
    return before, after, items
