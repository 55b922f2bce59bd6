"""Cypher of the backtests: what the baselines need besides the events."""

from __future__ import annotations

from typing import LiteralString

POSTS_BEFORE: LiteralString = """
MATCH (u:User)-[:POSTED]->(p:Post)
WHERE p.created_at < $split
RETURN u.id AS author, p.created_at AS at
"""

FOLLOWER_COUNTS: LiteralString = """
MATCH (u:User)
WHERE u.followers IS NOT NULL
RETURN u.id AS id, u.followers AS followers
"""
