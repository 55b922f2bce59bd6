"""The history of analyses: every analysis is a run, kept with its ranking.

The model, in the graph (queryable with Cypher like the rest)::

    (:Run {id, since, until, reference, profile, profile_json, analyzed_at, started_at,
           finished_at, users_scored, ranked, edges, events, topics, communities,
           discounted_pairs, complete})
    (:User)-[:RANKED_IN {rank, score, role, amplifiers, topics, topic_ranks}]->(:Run)

``id`` is the run stamp (epoch ms) that ``graph.analysis.run.analyze`` gives the write-back,
the same ``run`` as on ``(:Analysis {id: 'latest'})``; times are ISO 8601 strings (UTC), empty
for an open window bound. Only ranked accounts (at least one amplifier, not the brand's) get a
``RANKED_IN``: the history grows by the ranked accounts of each run, nothing for the rest.

Writing (``Store.stage_analysis`` / ``Store.switch_analysis``, in the foundation): the run is
created with ``complete: false`` and its ``RANKED_IN`` written by batches while the scores
are staged; the one switch statement marks it complete with its provenance. Reads here see only
complete runs; an incomplete run (a crash during the write-back) is deleted by the next one.
The latest run stays on ``(:User)`` and ``(:Analysis {id: 'latest'})`` as before; the
history repeats its ranking so that every run is read the same way.

Retention: after each analysis the complete runs beyond the newest ``RESONANCE_KEEP_RUNS``
(default 12) are deleted with their ``RANKED_IN`` (``Store.prune_runs``); the latest never is.

Modules: ``history`` (list, show, delete), ``trajectory`` (one account across the runs),
``movement`` (compare two runs, rising voices), ``past_rankings`` (a past run's influencer
list and an account's standing in it).
"""
