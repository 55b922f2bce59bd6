"""The activity clock: ages in the window's evidence, not in the calendar."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from graph.analysis.clock import activity_age, evidence_ticks
from graph.analysis.events import Events
from graph.analysis.influence import global_score_of_events
from graph.analysis.profile import Profile
from graph.analysis.weighting import DAY_MS, pair_weights
from graph.models import AMPLIFICATION_KINDS

RETWEET = AMPLIFICATION_KINDS.index("retweet")
START = 1_700_000_000_000


def events_of(acts: Sequence[tuple[str, str, int, str | None]]) -> Events:
    """``(amplifier, author, day, post or None)``, the k-th act of a day at k minutes."""
    users = sorted({name for act in acts for name in act[:2]})
    posts = sorted({act[3] for act in acts if act[3] is not None})
    return Events(
        users=users,
        source=np.array([users.index(a[0]) for a in acts], dtype=np.int64),
        target=np.array([users.index(a[1]) for a in acts], dtype=np.int64),
        kind=np.full(len(acts), RETWEET, dtype=np.int64),
        at=np.array([START + a[2] * DAY_MS + k * 60_000 for k, a in enumerate(acts)]),
        post=np.array([posts.index(a[3]) if a[3] else -1 for a in acts], dtype=np.int64),
        posts=posts,
        topics=[],
        post_topic=np.zeros((0, 2), dtype=np.int64),
    )


def ticks_of(events: Events) -> np.ndarray:
    kept = pair_weights(events, Profile(), int(events.at.max()))
    return evidence_ticks(events, kept)


def test_a_unit_is_a_first_act_on_a_post_and_a_bare_act_one_per_day() -> None:
    acts = [("a", "x", 0, "p1")] * 50 + [("a", "x", 3, "p2"), ("b", "x", 5, None)]
    acts += [("b", "x", 5, None), ("b", "x", 6, None)]
    ticks = ticks_of(events_of(acts))
    # fifty retweets of p1 are one unit (the first), p2 one, b's bare acts one per day: 4.
    days = ((ticks - START) // DAY_MS).tolist()
    assert days == [0, 3, 5, 6]


def test_the_age_is_the_share_of_evidence_after_the_last_act() -> None:
    ticks = np.array([0, 10, 20, 30]) * DAY_MS
    age = activity_age(ticks, np.array([30, 20, 5, -1]) * DAY_MS, reference=30 * DAY_MS)
    assert age.tolist() == [0.0, 0.25, 0.75, 1.0]


def test_a_window_under_a_day_shrinks_the_ages() -> None:
    ticks = np.array([0, 1, 2, 3]) * 3_600_000  # three hours of evidence, six up to reference
    age = activity_age(ticks, np.array([0]), reference=6 * 3_600_000)
    assert age.tolist() == [pytest.approx(0.75 * 0.25)]


def test_no_evidence_ages_nothing() -> None:
    assert activity_age(np.zeros(0, dtype=np.int64), np.array([5]), 10).tolist() == [0.0]


def test_a_quiet_network_ages_nobody() -> None:
    """The same acts with a month of silence in the middle: the same scores (the calendar's
    recency would have aged everything before the gap)."""
    first = [("a", "x", 0, "p1"), ("b", "x", 1, "p1"), ("c", "y", 2, "p2"), ("d", "y", 3, "p3")]
    second = [("e", "z", 4, "p4"), ("f", "z", 5, "p4"), ("a", "y", 6, "p2"), ("g", "x", 7, "p5")]
    gap = [(a, b, day + 30, post) for a, b, day, post in second]
    plain = global_score_of_events(events_of(first + second), Profile())
    quiet = global_score_of_events(events_of(first + gap), Profile())
    assert plain.score.tolist() == pytest.approx(quiet.score.tolist())


def test_volume_does_not_run_the_clock() -> None:
    """A fan's hundred retweets of one post after x's acts do not age x more than one would."""
    base = [("a", "x", 0, "p1"), ("b", "x", 0, "p1"), ("c", "y", 1, "p2"), ("d", "y", 2, "p3")]
    once = global_score_of_events(events_of([*base, ("fan", "w", 3, "p9")]), Profile())
    many = global_score_of_events(events_of(base + [("fan", "w", 3, "p9")] * 100), Profile())
    assert once.score.tolist() == pytest.approx(many.score.tolist())


def test_what_came_before_a_burst_ages_faster_than_by_the_calendar() -> None:
    """x's twelve amplifiers came on day 0, y's two on day 2, the data ends on day 4. The same
    days with twenty other accounts amplified on day 1: on the calendar nothing changes for x
    and y; on the activity clock x's audience is now behind the burst, and y leads."""
    acts = [(f"a{i}", "x", 0, "p1") for i in range(12)]
    acts += [("b0", "y", 2, "p2"), ("b1", "y", 2, "p2"), ("c", "z", 4, "p3")]
    burst = [(f"u{i}", f"v{i}", 1, f"q{i}") for i in range(20)]
    for with_burst, leader in ((False, "x"), (True, "y")):
        events = events_of(acts + burst if with_burst else acts)
        score = global_score_of_events(events, Profile()).score
        x, y = score[events.users.index("x")], score[events.users.index("y")]
        assert (x > y) == (leader == "x"), (with_burst, x, y)
