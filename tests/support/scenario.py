"""Planted-scenario dataset: a population whose influential and misleading accounts are known.

`generate_scenario` writes ``users.csv``, ``posts.csv`` and ``amplifications.csv`` in the
generic data contract for 1,502 fictional accounts (or as many as asked: more regular users
around the same planted accounts) and returns a `Scenario` manifest that names the accounts
planted in it, so a test can hold any ranking against the truth:

* four topical communities of regular users with heavy-tailed activity, each amplifying a few
  favourite accounts, mostly inside its community;
* three thematic bloggers per topic, amplified by many distinct people a few times each; one of
  them has been silent for the last four days;
* a football fan live-tweeting a match, retweeted in a burst by four friends (volume, no reach);
* a ring of six accounts retweeting each other, boosted by forty bought accounts;
* a brand with two accounts, four ambassadors with an audience of their own, thirty mere fans;
* three bridges amplified by two communities each.

The same arguments always give byte-identical files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from graph.algorithms.arrays import FloatArray, IntArray
from loaders import demo
from loaders.demo import KINDS, TOPIC_TABLE, Acts

TOPICS = ("trailrunning", "vegan", "climbing", "camping")
TAGS = (*TOPICS, "football", "giveaway")
FOOTBALL, GIVEAWAY = TAGS.index("football"), TAGS.index("giveaway")
DEMO_TOPIC = tuple(next(i for i, row in enumerate(TOPIC_TABLE) if row[0] == t) for t in TOPICS)
DEFAULT_END = datetime(2026, 11, 1, tzinfo=UTC)
DAY = 86_400
Rng = np.random.Generator
REGULARS = 1400  # at the default size
PLANTED = 102  # bloggers, fan and friends, ring and bought, brand, ambassadors, fans, bridges
DEFAULT_USERS = REGULARS + PLANTED
MIN_USERS = 1000
SILENT_DAYS = 4
SILENT_BLOGGER = "blogger-trailrunning-3"
MATCH_HOUR, MATCH_POSTING_S = 18, 165 * 60  # posts from 18:00 to 20:45, retweets by 21:00
BRAND_NAME = "Kestrel Outfitters"
# Per role: posts per day, log followers mean and spread.
ROLES: dict[str, tuple[float, float, float]] = {
    "regular": (0.0, 5.0, 1.2),  # posting rate drawn per user, heavy-tailed
    "blogger": (1.4, 9.5, 0.5),
    "fan": (0.3, 5.0, 0.3),
    "friend": (0.0, 5.0, 0.5),
    "ring": (2.0, 9.8, 0.3),
    "bought": (0.0, 1.6, 0.5),
    "brand": (2.0, 11.5, 0.1),
    "ambassador": (1.0, 8.5, 0.5),
    "brandfan": (0.05, 4.5, 1.0),
    "bridge": (0.8, 8.5, 0.5),
}
MATCH_LINES = ("Kick-off!", "GOAL! What a finish", "Half time, 1-1", "Never offside", "Come on!")
GIVEAWAY_TEXT = "🎁 GIVEAWAY: RT + follow all of us to win, ends tonight"


@dataclass(frozen=True)
class Scenario:
    """The manifest of a generated scenario: who was planted where, and what was written.

    Communities are numbered by topic: community ``k`` talks about ``topics[k]``.
    ``community_of`` maps every regular user (``u0001`` ...) to its community.
    """

    topics: tuple[str, ...]
    bloggers: dict[str, tuple[str, ...]]
    silent_blogger: str
    fan: str
    fan_friends: tuple[str, ...]
    ring: tuple[str, ...]
    bought: tuple[str, ...]
    brand: tuple[str, ...]
    ambassadors: tuple[str, ...]
    fans_of_brand: tuple[str, ...]
    bridges: tuple[str, ...]
    bridge_communities: tuple[tuple[int, int], ...]
    community_of: dict[str, int]
    start: datetime
    end: datetime
    silent_since: datetime
    match: tuple[datetime, datetime]
    users: int
    posts: int
    amplifications: int


@dataclass(frozen=True)
class _Cast:
    ids: list[str]
    role: list[str]
    regulars: int  # the first ``regulars`` accounts are regular users
    comm: IntArray  # home community, -1 for none
    comm2: IntArray  # second community of a bridge, else -1

    def of(self, role: str) -> IntArray:
        return np.asarray([i for i, r in enumerate(self.role) if r == role], np.int64)


@dataclass(frozen=True)
class _Posts:
    author: IntArray
    time: IntArray  # seconds since the start
    tag: IntArray  # index into TAGS
    lo: IntArray  # per user: index of its first post (posts are author-contiguous)
    n: IntArray  # per user: number of posts
    match: IntArray  # post indices of the fan's live-tweeted match


def _cast(rng: Rng, regulars: int) -> _Cast:
    """Regular users first (``u0001`` ...), then every planted account."""
    homes = rng.choice(len(TOPICS), regulars, p=(0.3, 0.25, 0.25, 0.2)).tolist()
    width = max(4, len(str(regulars)))
    cast = [
        *((f"u{k + 1:0{width}d}", "regular", c, -1) for k, c in enumerate(homes)),
        *((f"blogger-{t}-{k}", "blogger", c, -1) for c, t in enumerate(TOPICS) for k in (1, 2, 3)),
        ("fan-1", "fan", 0, -1),
        *((f"fanfriend-{k}", "friend", -1, -1) for k in range(1, 5)),
        *((f"ring-{k}", "ring", -1, -1) for k in range(1, 7)),
        *((f"bought-{k:02d}", "bought", -1, -1) for k in range(1, 41)),
        *((f"brand-{k}", "brand", -1, -1) for k in (1, 2)),
        *((f"ambassador-{k + 1}", "ambassador", k, -1) for k in range(4)),
        *((f"brandfan-{k:02d}", "brandfan", int(rng.integers(0, 4)), -1) for k in range(1, 31)),
        *((f"bridge-{k + 1}", "bridge", k, k + 1) for k in range(3)),
    ]
    ids, role, comm, comm2 = zip(*cast, strict=True)
    comm_a, comm2_a = np.asarray(comm, np.int64), np.asarray(comm2, np.int64)
    return _Cast(list(ids), list(role), regulars, comm_a, comm2_a)


def _days(days: int, stop: int) -> FloatArray:
    """Day weights for `demo._event_times`: uniform over the first ``stop`` days of the window."""
    day_p = (np.arange(days) < stop).astype(np.float64)
    return np.asarray(day_p / day_p.sum(), np.float64)


def _cdf(p: FloatArray) -> FloatArray:
    """The cumulative weights `Generator.choice` draws from, as it computes them."""
    cdf = np.cumsum(p)
    return np.asarray(cdf / cdf[-1], np.float64)


HOURLY_CDF = _cdf(demo.HOURLY)


def _event_times(rng: Rng, size: int, day_cdf: FloatArray) -> IntArray:
    """`demo._event_times` drawing the very same numbers, without `Generator.choice`'s checks
    (they cost more than the draw for one account's few posts, done once per account)."""
    day = day_cdf.searchsorted(rng.random(size), side="right")
    hour = HOURLY_CDF.searchsorted(rng.random(size), side="right")
    return np.asarray(day * 86400 + hour * 3600 + rng.integers(0, 3600, size), np.int64)


def _posts(rng: Rng, cast: _Cast, days: int, silent: int) -> _Posts:
    """Posting times and topics of every account; the fan's match comes last among its posts."""
    n_reg = cast.regulars
    rates = demo._lognormal(rng, np.full(n_reg, 0.08), np.full(n_reg, 1.1))
    author, time, tag, match = [], [], [], np.zeros(0, np.int64)
    count, day_cdf = (
        0,
        {stop: _cdf(_days(days, stop)) for stop in (days, days - 3, days - SILENT_DAYS)},
    )
    for i, (r, home, second) in enumerate(zip(cast.role, cast.comm, cast.comm2, strict=True)):
        rate = rates[i] if r == "regular" else ROLES[r][0]
        stop = days - SILENT_DAYS if i == silent else days - 3 if r == "fan" else days
        n = int(rng.poisson(rate * stop))
        n = max(n, 1) if rate > 0 and r != "regular" else n
        t = np.sort(_event_times(rng, n, day_cdf[stop]))
        if r == "fan":  # live-tweeting the match on the last-but-two day
            kickoff = (days - 3) * DAY + MATCH_HOUR * 3600
            live = np.sort(kickoff + rng.integers(0, MATCH_POSTING_S, 140 + rng.integers(0, 21)))
            match = count + n + np.arange(live.size)
            t = np.concatenate([t, live])
        if r in ("fan", "friend"):
            tags = np.full(t.size, FOOTBALL)
        elif r == "ring":
            tags = np.full(t.size, GIVEAWAY)
        elif r == "brand":
            tags = rng.integers(0, len(TOPICS), t.size)
        elif r == "blogger":
            tags = np.full(t.size, home)
        elif r == "bridge":
            tags = np.where(rng.random(t.size) < 0.5, home, second)
        else:
            tags = np.where(rng.random(t.size) < 0.9, home, rng.integers(0, len(TOPICS), t.size))
        author.append(np.full(t.size, i))
        time.append(t)
        tag.append(tags)
        count += t.size
    n_posts = np.asarray([a.size for a in author], np.int64)
    lo = np.cumsum(n_posts) - n_posts
    a, t, g = (np.concatenate(x).astype(np.int64) for x in (author, time, tag))
    return _Posts(a, t, g, lo, n_posts, match)


def _acts(rng: Rng, amp: IntArray, post: IntArray, p: _Posts, wait: float, only: int = -1) -> Acts:
    """``amp[k]`` amplifies ``post[k]`` some time after it was posted (median ``wait`` s).

    The kind of each act is drawn as in the demo, or is ``KINDS[only]`` for all of them.
    """
    kind = rng.choice(len(KINDS), amp.size, p=demo.KIND_P)
    if only >= 0:
        kind[:] = only
    delay = 30 + rng.lognormal(np.log(wait), 1.2, amp.size).astype(np.int64)
    return amp, p.author[post], post, kind, p.time[post] + delay


def _any_post(rng: Rng, p: _Posts, author: IntArray) -> IntArray:
    """A uniformly chosen post of each author."""
    return np.asarray(p.lo[author] + (rng.random(author.size) * p.n[author]), np.int64)


def _audience(rng: Rng, cast: _Cast, p: _Posts, target: int, parts: list[tuple[int, int]]) -> Acts:
    """Distinct regular users amplify ``target`` a few times each, on posts spread over days.

    ``parts`` are ``(community, how many)``; community ``-1 - k`` means outside community k.
    """
    comm = cast.comm[: cast.regulars]
    groups = [np.flatnonzero(comm == c if c >= 0 else comm != -1 - c) for c, _ in parts]
    fans = np.concatenate(
        [rng.choice(g, k, replace=False) for g, (_, k) in zip(groups, parts, strict=True)]
    )
    amp = np.repeat(fans, 1 + rng.poisson(2.5, fans.size))
    return _acts(rng, amp, _any_post(rng, p, np.full(amp.size, target)), p, 1800.0)


def _organic(rng: Rng, cast: _Cast, p: _Posts, days: int) -> Acts:
    """Regular users amplify a few favourites, mostly in their community, now and then the brand."""
    n_reg = cast.regulars
    comm = cast.comm[:n_reg]
    attract = rng.lognormal(0.0, 1.0, n_reg)
    n_fav = 1 + rng.poisson(4.0, n_reg)
    fan = np.repeat(np.arange(n_reg), n_fav)
    away = (comm[fan] + rng.integers(1, 4, fan.size)) % 4
    group = np.where(rng.random(fan.size) < 0.85, comm[fan], away)
    fav = np.zeros(fan.size, np.int64)
    for g in range(len(TOPICS)):
        pool = np.flatnonzero((comm == g) & (p.n[:n_reg] > 0))
        weight = np.cumsum(attract[pool])
        sel = np.flatnonzero(group == g)
        pick = np.searchsorted(weight, rng.random(sel.size) * weight[-1], side="right")
        fav[sel] = pool[np.minimum(pick, pool.size - 1)]
    rate = demo._lognormal(rng, np.full(n_reg, 0.45), np.full(n_reg, 1.0))
    amp = np.repeat(np.arange(n_reg), rng.poisson(rate * days))
    fav_lo = np.cumsum(n_fav) - n_fav
    target = fav[fav_lo[amp] + (rng.random(amp.size) * n_fav[amp]).astype(np.int64)]
    brand = cast.of("brand")
    to_brand = rng.random(amp.size) < 0.03
    target[to_brand] = brand[(rng.random(int(to_brand.sum())) < 0.3).astype(np.int64)]
    return _acts(rng, amp, _any_post(rng, p, target), p, 1500.0)


def _voice_growth(regulars: int) -> float:
    """How much larger the planted voices' audiences are than at the default size: the cube
    root of the population's growth, about as fast as the top of the regular users' own
    audiences grows (the tenth largest regular audience, planted voices kept fixed: 49 at 3,000
    accounts, 92 at 20,000, 106 at 50,000). Kept fixed, at 50,000 accounts about seven regular
    users per topic, as focused on it, had more amplifiers there than the weakest planted
    blogger: they were the topic's voices, and the planted truth was no longer true.

    >>> _voice_growth(REGULARS), round(_voice_growth(8 * REGULARS), 2)
    (1.0, 2.0)
    """
    return float(np.cbrt(max(regulars, 1) / REGULARS))


def _planted(rng: Rng, cast: _Cast, p: _Posts) -> list[Acts]:
    """Amplifications of the bloggers, the fan, the ring, the brand and bridges."""
    acts: list[Acts] = []
    grow = _voice_growth(cast.regulars)
    for role, least, most in (("blogger", 60, 150), ("ambassador", 34, 60)):
        for b in cast.of(role).tolist():
            n = int(rng.integers(round(least * grow), round(most * grow) + 1))
            home = int(cast.comm[b])
            near = round(0.85 * n)  # mostly from its own community
            acts.append(_audience(rng, cast, p, b, [(home, near), (-1 - home, n - near)]))
    for b in cast.of("bridge").tolist():
        sides = [
            (int(c), int(rng.integers(round(25 * grow), round(45 * grow) + 1)))
            for c in (cast.comm[b], cast.comm2[b])
        ]
        acts.append(_audience(rng, cast, p, b, sides))
    fan = int(cast.of("fan")[0])
    early = p.lo[fan] + rng.integers(0, p.n[fan] - p.match.size, 6)
    few = rng.choice(np.flatnonzero(cast.comm[: cast.regulars] == 0), 6, replace=False)
    acts.append(_acts(rng, few, early, p, 3600.0))
    friends = cast.of("friend")
    amp, post = np.repeat(friends, p.match.size), np.tile(p.match, friends.size)
    keep = rng.random(amp.size) < 0.97  # almost every post, within minutes
    amp, post = amp[keep], post[keep]
    retweets, delay = np.full(amp.size, KINDS.index("retweet")), rng.integers(20, 600, amp.size)
    acts.append((amp, p.author[post], post, retweets, p.time[post] + delay))
    ring, bought, retweet = cast.of("ring"), cast.of("bought"), KINDS.index("retweet")
    for boosters, times in ((ring, 20.0), (bought, 12.0)):  # every member, many times each
        reps = 1 + rng.poisson(times, boosters.size * ring.size)
        amp = np.repeat(np.repeat(boosters, ring.size), reps)
        author = np.repeat(np.tile(ring, boosters.size), reps)
        mask = amp != author
        acts.append(_acts(rng, amp[mask], _any_post(rng, p, author[mask]), p, 300.0, retweet))
    brand = cast.of("brand")
    for group, times in ((cast.of("brandfan"), 30.0), (cast.of("ambassador"), 22.0)):
        amp = np.repeat(group, 1 + rng.poisson(times, group.size))
        which = brand[(rng.random(amp.size) < 0.3).astype(np.int64)]
        acts.append(_acts(rng, amp, _any_post(rng, p, which), p, 2400.0))
    return acts


def _finish(acts: Sequence[Acts], limit: IntArray) -> Acts:
    """Drop repeats of (amplifier, post, kind), self-amplification and anything after the limit."""
    amp, author, post, kind, when = (np.concatenate(part) for part in zip(*acts, strict=True))
    _, first = np.unique((amp * (post.max() + 1) + post) * len(KINDS) + kind, return_index=True)
    keep = np.zeros(amp.size, bool)
    keep[first] = True
    keep &= (amp != author) & (when < limit[author])
    order = np.flatnonzero(keep)[np.lexsort((amp[keep], when[keep]))]
    return amp[order], author[order], post[order], kind[order], when[order]


BIOS: dict[str, tuple[str, ...]] = {
    "regular": ("", "{word}, coffee, dogs", '"Out there" more than in here. {word}.', ""),
    "blogger": ('Writing about {word} every week: routes, recipes, "honest" gear notes.',),
    "fan": ("Football, football, football. Season ticket, row 12.",),
    "friend": ("Matchday crew.", ""),
    "ring": ("Follow back 💯 | giveaways | growth | DM for promo",),
    "bought": ("",),
    "brand": ('Gear for trails, crags and "slow" camps.',),
    "ambassador": (f"{{word}} every weekend, honest reviews. Partner of {BRAND_NAME}.",),
    "brandfan": ("Big fan of @KestrelOutfitters, {word} on weekends.",),
    "bridge": ("Somewhere between {word} and {other}; sharing the best of both.",),
}


def _pick(rng: Rng, choices: Sequence[str]) -> int:
    """The index ``rng.choice(choices)`` draws."""
    return int(rng.integers(0, len(choices), dtype=np.int64))


def _people(rng: Rng, cast: _Cast) -> list[list[object]]:
    """Rows of users.csv in id order: unique handles, names, bios, followers, blog URLs."""
    taken: set[str] = set()
    rows: list[list[object]] = []
    for i, (uid, r) in enumerate(zip(cast.ids, cast.role, strict=True)):
        # As rng.choice(demo.SYLLABLES, 2), rng.choice(demo.ENDINGS) ... draw, without its checks.
        one, two = rng.integers(0, len(demo.SYLLABLES), 2).tolist()
        first = demo.SYLLABLES[one] + demo.SYLLABLES[two] + demo.ENDINGS[_pick(rng, demo.ENDINGS)]
        last = demo.LAST_A[_pick(rng, demo.LAST_A)] + demo.LAST_B[_pick(rng, demo.LAST_B)]
        styles = (f"{first}{last}", f"{first}_{last}", f"{first}{last[:3]}{rng.integers(1, 99)}")
        handle = styles[rng.integers(0, len(styles))]
        while handle in taken:
            handle += str(rng.integers(0, 10))
        taken.add(handle)
        home, other = int(max(cast.comm[i], 0)), int(max(cast.comm2[i], 0))
        word, other_word = (TOPIC_TABLE[DEMO_TOPIC[c]][1] for c in (home, other))
        bio = BIOS[r][i % len(BIOS[r])].format(word=word, other=other_word)
        mean, sigma = ROLES[r][1:]
        followers = int(np.exp(mean + sigma * rng.standard_normal()))
        url = f"https://{handle.replace('_', '-')}.blog.example/" if r == "blogger" else ""
        name = f"{first.capitalize()} {last.capitalize()}"
        if r == "brand":
            handle = {"brand-1": "KestrelOutfitters", "brand-2": "KestrelHelp"}[uid]
            name, url = BRAND_NAME, "https://kestrel-outfitters.example/"
        bio, brand = bio[:1].upper() + bio[1:], str(r == "brand").lower()
        rows.append([uid, handle, name, followers, bio, url, brand, "twitter"])
    return sorted(rows, key=lambda row: str(row[0]))


def _text(role: str, tag: int, pick: int, suffix: int) -> str:
    """A post's text in its author's voice, ending in its hashtag."""
    if tag == FOOTBALL:
        body = MATCH_LINES[pick % len(MATCH_LINES)]
    elif tag == GIVEAWAY:
        body = GIVEAWAY_TEXT
    elif role == "brand":
        body = TOPIC_TABLE[DEMO_TOPIC[tag]][3]
    else:
        body = demo.PHRASES[2 * DEMO_TOPIC[tag] + pick % 4 // 2][pick % 2]
    return f"{body}{demo.SUFFIXES[suffix]} #{TAGS[tag]}"


def generate_scenario(
    out_dir: Path,
    *,
    seed: int = 11,
    days: int = 28,
    end: datetime | None = None,
    users: int = DEFAULT_USERS,
) -> Scenario:
    """Write a population with planted roles in the generic data contract; return its manifest.

    Parameters
    ----------
    out_dir : Path
        Directory to write ``users.csv``, ``posts.csv`` and ``amplifications.csv`` into;
        created when missing, existing files are replaced.
    seed : int, optional
        Seed of the random generator; the same arguments give byte-identical files.
    days : int, optional
        Length of the window in days, at least 7.
    end : datetime, optional
        End of the window (exclusive; nothing is dated at or after it); a naive value is taken
        as UTC. Default 2026-11-01T00:00:00Z.
    users : int, optional
        Number of accounts, at least 1,000: the planted ones (always the same 102) and as many
        regular users as make up the rest. Every regular user behaves the same at any size
        (posting, favourites, amplifying), so the planted accounts keep audiences of the same
        size among more and more organic noise. Default 1,502 (1,400 regular users).

    Returns
    -------
    Scenario
        The planted accounts, the community of every regular user and the row counts.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     scenario = generate_scenario(Path(tmp), days=7)
    >>> scenario.fan, scenario.silent_blogger, len(scenario.bought), scenario.users
    ('fan-1', 'blogger-trailrunning-3', 40, 1502)
    """
    if days < 7:
        raise ValueError(f"generate_scenario needs days >= 7, got {days}")
    if users < MIN_USERS:
        raise ValueError(f"generate_scenario needs users >= {MIN_USERS}, got {users}")
    end = DEFAULT_END if end is None else end
    end = end.replace(tzinfo=UTC) if end.tzinfo is None else end.astimezone(UTC)
    start = end - timedelta(days=days)
    rng = np.random.default_rng(seed)
    cast = _cast(rng, users - PLANTED)
    silent = cast.ids.index(SILENT_BLOGGER)
    p = _posts(rng, cast, days, silent)
    limit = np.full(len(cast.ids), days * DAY, np.int64)
    limit[silent] = (days - SILENT_DAYS) * DAY
    amp, author, post, kind, when = _finish(
        [_organic(rng, cast, p, days), *_planted(rng, cast, p)], limit
    )
    user_rows = _people(rng, cast)

    order = np.lexsort((p.author, p.time))
    p_ids = [f"s{n + 1:06d}" for n in np.argsort(order).tolist()]  # numbered in time order
    pick = rng.integers(0, 20, order.size)  # a match line (of 5) or a topic phrase (of 4)
    suffix = rng.integers(0, len(demo.SUFFIXES), order.size)
    post_rows = []
    for k, created in zip(order.tolist(), demo._stamps(start, p.time[order]), strict=True):
        uid, tag = cast.ids[p.author[k]], int(p.tag[k])
        text = _text(cast.role[p.author[k]], tag, int(pick[k]), int(suffix[k]))
        url = f"https://social.example/{uid}/status/{p_ids[k]}"
        post_rows.append([p_ids[k], uid, created, text, TAGS[tag], "en", url])
    mention = KINDS.index("mention")
    stamps, columns = demo._stamps(start, when), np.stack([amp, author, post, kind], 1)
    amp_rows = [
        [f"e{n + 1:06d}", cast.ids[a], cast.ids[b], "" if k == mention else p_ids[q], KINDS[k], t]
        for n, ((a, b, q, k), t) in enumerate(zip(columns.tolist(), stamps, strict=True))
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    demo._write(out_dir / "users.csv", demo.USER_COLUMNS, user_rows)
    demo._write(out_dir / "posts.csv", demo.POST_COLUMNS, post_rows)
    demo._write(out_dir / "amplifications.csv", demo.AMPLIFICATION_COLUMNS, amp_rows)

    def named(role: str) -> tuple[str, ...]:
        return tuple(cast.ids[i] for i in cast.of(role).tolist())

    kickoff = start + timedelta(days=days - 3, hours=MATCH_HOUR)
    return Scenario(
        topics=TOPICS,
        bloggers={t: tuple(f"blogger-{t}-{k}" for k in range(1, 4)) for t in TOPICS},
        silent_blogger=cast.ids[silent],
        fan="fan-1",
        fan_friends=named("friend"),
        ring=named("ring"),
        bought=named("bought"),
        brand=named("brand"),
        ambassadors=named("ambassador"),
        fans_of_brand=named("brandfan"),
        bridges=named("bridge"),
        bridge_communities=tuple(
            (int(cast.comm[i]), int(cast.comm2[i])) for i in cast.of("bridge")
        ),
        community_of={cast.ids[i]: int(cast.comm[i]) for i in range(cast.regulars)},
        start=start,
        end=end,
        silent_since=end - timedelta(days=SILENT_DAYS),
        match=(kickoff, kickoff + timedelta(hours=3)),
        users=len(user_rows),
        posts=len(post_rows),
        amplifications=len(amp_rows),
    )
