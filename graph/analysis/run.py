"""The analysis run: read the events, weight them, score, explain, write everything back.

Steps (each reported through ``progress``):

1. read the amplification events within the window (``graph.analysis.events``);
2. weight each amplifier -> author pair by the profile (``graph.analysis.weighting``);
3. look for boosting (``graph.analysis.signals``) and leave the suspicious pairs out of the scores;
4. the global score (``graph.analysis.influence``: the audience's weight with the activity
   clock's recency (``graph.analysis.clock``), blended with PageRank; ``score`` 0-100 relative
   to the top account, ``rank`` for external accounts only), Leiden communities, betweenness,
   k-core, influence-passivity;
5. topic authority for every busy topic (``graph.analysis.topics``);
6. roles with their reasons (``graph.analysis.roles``) and the top amplifiers and posts
   (``graph.analysis.explain``);
7. write the users' properties, ``(:User)-[:INFLUENTIAL_IN]->(:Topic)`` and the run's
   provenance on ``(:Analysis {id: 'latest'})``: staged under the run's stamp, then switched
   over in one statement (``Store.write_analysis``), so that reads see the previous run until
   the switch. If the betweenness is not done when the rest is, the rest is staged while it
   is computed, and what it decides (the betweenness, the roles) is amended once it is;
8. keep the run in the history (``graph/runs``): its ``(:Run)`` and the ranked accounts'
   ``RANKED_IN`` are staged with the scores and completed by the switch; then the runs
   beyond the ``keep_runs`` newest are deleted. (A rolling window followed by a newer one
   writes only this: ``analyze_events(latest=False)``.)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from graph.algorithms.arrays import BoolArray, FloatArray
from graph.algorithms.communities import leiden
from graph.algorithms.components import k_core
from graph.algorithms.influence_passivity import influence_passivity
from graph.analysis.betweenness_workers import BackgroundBetweenness
from graph.analysis.events import Events, fetch_events, gc_paused
from graph.analysis.explain import explain
from graph.analysis.influence import external_ranks, global_score
from graph.analysis.profile import Profile
from graph.analysis.roles import Roles, assign_roles, brand_days, community_reach
from graph.analysis.score_rows import Scores, amended_rows, topic_rows, user_rows
from graph.analysis.signals import compute_signals
from graph.analysis.topics import topic_scores
from graph.analysis.weighting import Pairs, pair_weights, reference_time
from graph.models import utc_iso
from graph.store import Store

RunProgress = Callable[[str, float], None]  # (what is being done, fraction of the run done)
WRITE_BATCH = 10_000
KEEP_RUNS = 12
"""Complete runs kept in the history by default (``RESONANCE_KEEP_RUNS``)."""


@dataclass(frozen=True, slots=True)
class AnalysisSummary:
    users_scored: int
    edges: int
    ranked: int
    communities: int
    topics: int = 0
    events: int = 0
    discounted_pairs: int = 0
    roles: dict[str, int] | None = None
    seconds: float = 0.0


def brand_mask(store: Store, events: Events) -> BoolArray:
    """Which of ``events.users`` are the brand's own accounts (scored, never ranked)."""
    brand = store.brand_ids()
    return np.fromiter(
        (user in brand for user in events.users), dtype=bool, count=len(events.users)
    )


def _acceptance(pairs: Pairs, n: int) -> FloatArray:
    """Share of an author's amplified posts that this amplifier amplified (IP's w)."""
    posts = np.zeros(n, dtype=np.int64)
    np.maximum.at(posts, pairs.target, pairs.posts)
    return np.minimum(pairs.posts / np.maximum(posts[pairs.target], 1), 1.0)


def analyze(
    store: Store,
    profile: Profile | None = None,
    *,
    since: int | None = None,
    until: int | None = None,
    progress: RunProgress | None = None,
    keep_runs: int = KEEP_RUNS,
) -> AnalysisSummary:
    """Score the amplification within ``[since, until)`` (epoch ms) and write it back; keep
    the ``keep_runs`` newest runs in the history."""
    if keep_runs < 1:
        raise ValueError(f"keep_runs must be at least 1, not {keep_runs}")
    profile = profile or Profile()
    say = progress or (lambda _what, _done: None)
    started = time.perf_counter()
    started_at = utc_iso(int(time.time() * 1000))
    say("reading amplification events", 0.0)
    events = fetch_events(
        store,
        since=since,
        until=until,
        progress=lambda done, total: say("reading amplification events", 0.3 * done / total),
    )
    with gc_paused():
        summary = analyze_events(store, profile, events, since, until, say, started, started_at)
    store.prune_runs(keep_runs)
    return summary


def analyze_events(
    store: Store,
    profile: Profile,
    events: Events,
    since: int | None,
    until: int | None,
    say: RunProgress,
    started: float,
    started_at: str,
    *,
    latest: bool = True,
) -> AnalysisSummary:
    """Score ``events`` (those of the window ``[since, until)``) and write them back as a run;
    ``started``/``started_at`` are when the run began (``perf_counter``, ISO).

    ``latest=False`` only keeps the run in the history (``Store.record_run``), and the
    accounts keep the scores they have: for a rolling window that a newer one follows at once,
    whose switch would replace everything this one's switch wrote."""
    n = len(events.users)
    reference = reference_time(events, until)
    if n == 0:
        empty = AnalysisSummary(users_scored=0, edges=0, ranked=0, communities=0)
        provenance = run_provenance(profile, since, until, reference, empty)
        run = int(time.time() * 1000)
        if latest:
            store.stage_analysis([], [], run=run)
            store.switch_analysis(run, 0, 0, provenance, started_at=started_at)
        else:
            store.record_run([], provenance, run=run, started_at=started_at)
        say("done", 1.0)
        return empty
    say(f"weighting {events.count:,} events", 0.3)
    raw = pair_weights(events, profile, reference)
    signals = compute_signals(events, raw, profile)
    discounted = signals.discounted
    pairs = raw.kept(~discounted)
    is_brand = brand_mask(store, events)
    run = int(time.time() * 1000)
    with BackgroundBetweenness(n, pairs, profile) as between_job:
        say(f"communities and PageRank on {n:,} accounts", 0.4)
        scored = global_score(events, pairs, profile, reference)
        communities = leiden(
            n,
            pairs.source,
            pairs.target,
            pairs.weight,
            seed=profile.seed,
            iterations=profile.leiden_iterations,
        )
        cores = k_core(n, pairs.source, pairs.target)
        influence, passivity = influence_passivity(
            n, pairs.source, pairs.target, _acceptance(pairs, n)
        )
        say("topic authority", 0.5)
        topics = topic_scores(events, pairs, profile, reference, ~is_brand)
        say("explanations", 0.55)
        explanation = explain(
            events, scored.pairs, scored.pagerank, profile.damping, profile.pagerank_share
        )
        reach = community_reach(pairs, communities, n)
        brand_activity = brand_days(events, is_brand)

        def roles_with(between: FloatArray) -> Roles:
            return assign_roles(
                profile=profile,
                is_brand=is_brand,
                signals=signals,
                topics=topics,
                score=scored.score,
                betweenness=between,
                reach=reach,
                brand_activity=brand_activity,
            )

        # Unless the betweenness is done by now, everything but what it decides is staged
        # while it is computed, and amended once it is known (on the 1M-event bench graph,
        # where the betweenness still had 2.6 s to go here, the analysis went from 17.9 s to
        # 16.2 s); a small graph's is done by now, and amending would only add a pass.
        overlap = latest and not between_job.done()
        no_betweenness = np.zeros(n, dtype=np.float64)
        between = no_betweenness if overlap else between_job.result()
        staged_roles = roles_with(between)
        rank = external_ranks(scored.influence, is_brand)
        say("writing scores back" if latest else "keeping the run in the history", 0.6)
        scores = Scores(
            pagerank=scored.pagerank,
            score=scored.score,
            rank=rank,
            audience=signals.audience,
            acts=signals.received_events,
            community=communities,
            betweenness=between,
            core=cores,
            influence=influence,
            passivity=passivity,
            reached=reach.communities_reached,
            discounted=np.bincount(raw.target[discounted], minlength=n).astype(np.int64),
            hollow_account=signals.hollow_account,
        )
        rows = user_rows(events, scores, staged_roles, topics, explanation)
        topic_ranks = topic_rows(events, topics) if latest else []
        if latest:
            store.stage_analysis(
                rows,
                topic_ranks,
                run=run,
                batch_size=WRITE_BATCH,
                progress=lambda written: say("writing scores back", 0.6 + 0.25 * written / n),
                history=not overlap,
            )
        if overlap:
            say("betweenness", 0.85)
            between = between_job.result()
    roles = staged_roles
    if overlap:
        roles = roles_with(between)
        say("writing betweenness and roles", 0.9)
        store.amend_staged_scores(amended_rows(rows, between, staged_roles, roles), run=run)
        store.stage_history(rows, run=run, batch_size=WRITE_BATCH)
    counts: dict[str, int] = {}
    for user_roles in roles.roles:
        for name in user_roles:
            counts[name] = counts.get(name, 0) + 1
    summary = AnalysisSummary(
        users_scored=n,
        edges=pairs.count,
        ranked=int((rank > 0).sum()),
        communities=int(communities.max()) + 1 if communities.size else 0,
        topics=len(topics.topics),
        events=events.count,
        discounted_pairs=int(discounted.sum()),
        roles=dict(sorted(counts.items())),
    )
    provenance = run_provenance(profile, since, until, reference, summary)
    if latest:
        say("switching to the new scores", 0.95)
        store.switch_analysis(run, len(rows), len(topic_ranks), provenance, started_at=started_at)
    else:
        store.record_run(rows, provenance, run=run, started_at=started_at, batch_size=WRITE_BATCH)
    say("done", 1.0)
    return replace(summary, seconds=round(time.perf_counter() - started, 2))


def run_provenance(
    profile: Profile,
    since: int | None,
    until: int | None,
    reference: int,
    summary: AnalysisSummary,
    engine: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What a run records of itself; ``engine``: where it ran (default: this process)."""
    return {
        **(engine or {"engine": "local"}),
        "profile": profile.name,
        "profile_json": profile.model_dump_json(),
        "since": utc_iso(since),
        "until": utc_iso(until),
        "reference": utc_iso(reference),
        "analyzed_at": utc_iso(int(time.time() * 1000)),
        "users_scored": summary.users_scored,
        "ranked": summary.ranked,
        "edges": summary.edges,
        "events": summary.events,
        "topics": summary.topics,
        "communities": summary.communities,
        "discounted_pairs": summary.discounted_pairs,
    }
