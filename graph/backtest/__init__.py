"""Backtests: rank on the events before a split, score each ranking on what happened after it.

A ranking that claims to find the voices worth working with must predict whose audience
responds next. :func:`graph.backtest.run.backtest` ranks the events before the split (the
``--until`` of an analysis) with a profile and with the baselines (``graph.backtest.baselines``),
then scores every ranking on the events at or after the split (``graph.backtest.outcomes``)
with NDCG@k and precision@k (``graph.backtest.metrics``).
"""
