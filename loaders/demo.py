"""Seeded demo dataset: a fictional outdoor brand and the communities that talk about it.

`generate_demo` writes ``users.csv``, ``posts.csv`` and ``amplifications.csv`` in the generic
data contract. The population is plainly fictional (names built from syllables, ``.example``
URLs) yet shaped like a real export: one brand with two official accounts, five topical
communities, each with a few bloggers amplified by many distinct people, brand ambassadors with
their own audience, bridge accounts amplified by two communities, a ring of boosters that
retweet each other in bursts, heavy-tailed activity and a daily rhythm. The same arguments
always give byte-identical files.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from graph.algorithms.arrays import FloatArray, IntArray

Acts = tuple[IntArray, IntArray, IntArray, IntArray, IntArray]  # amplifier, author, post, kind, t

BRAND_NAME = "Northwind Outdoors"
HOSTILE_HANDLE = "<img src=x onerror=alert(1)>"
DEFAULT_START = datetime(2026, 10, 1, tzinfo=UTC)
USER_COLUMNS = ("id", "handle", "name", "followers", "bio", "url", "is_brand", "platform")
POST_COLUMNS = ("id", "author_id", "created_at", "text", "hashtags", "lang", "url")
AMPLIFICATION_COLUMNS = ("id", "amplifier_id", "author_id", "post_id", "kind", "created_at")
TOPIC_TABLE = (  # hashtag, in words, a handle prefix, what the brand posts about it
    ("trailrunning", "trail running", "trail", "The Fernwick trail shoe is back, now resoleable"),
    ("vegan", "plant-based food", "veggie", "Our trail meals are all plant-based: 12 flavours"),
    ("climbing", "climbing", "crag", "Meet the Crux chalk bag, sewn from jacket offcuts"),
    ("gear", "gear", "gear", "Free lifetime repairs on every jacket we make"),
    ("camping", "camping", "camp", 'The Ridgeline 2 tent: 1.4 kg, two people, "zero drama"'),
    ("sustainability", "low-waste living", "green", "Impact report: 71% recycled materials"),
)
TOPICS = tuple(row[0] for row in TOPIC_TABLE)
COMMUNITIES = (  # name and two primary topics (indices into TOPICS)
    ("trail running crew", (0, 3)),
    ("plant-powered athletes", (1, 0)),
    ("crag and boulder", (2, 3)),
    ("campfire cooks", (4, 1)),
    ("leave no trace", (5, 4)),
)
KINDS = ("retweet", "mention", "reply", "quote", "like", "share")
KIND_P = (0.5, 0.18, 0.14, 0.09, 0.05, 0.04)
BRAND, AUTHORITY, AMBASSADOR, BRIDGE, BOOSTER, REGULAR, FAN = range(7)
# One row per role: posts/day median and log-sigma, amplifications/day median and log-sigma,
# log followers mean and sigma, weight as an amplification target median and log-sigma, and the
# share of its amplifications that go to the brand.
ROLE = np.array(
    [
        [2.5, 0.2, 0.4, 0.2, 11.8, 0.1, 0.0, 0.0, 0.0],
        [1.4, 0.4, 0.8, 0.5, 10.3, 0.5, 60.0, 0.5, 0.02],
        [0.9, 0.3, 1.4, 0.3, 9.0, 0.5, 25.0, 0.4, 0.4],
        [0.8, 0.3, 0.8, 0.4, 9.0, 0.5, 16.0, 0.4, 0.04],
        [0.0, 0.0, 0.0, 0.0, 7.5, 0.3, 0.0, 0.0, 0.0],
        [0.12, 1.2, 0.3, 1.1, 5.3, 1.3, 1.0, 1.2, 0.03],
        [0.0, 0.0, 0.45, 1.1, 4.2, 1.2, 0.0, 0.0, 0.035],
    ]
)
_PEAKS = np.array([[1.0, 8.5, 2.5], [0.8, 13.0, 2.0], [1.4, 20.0, 2.5]])  # height, hour, width
HOURLY = 0.1 + _PEAKS[:, 0] @ np.exp(-(((np.arange(24) - _PEAKS[:, 1:2]) / _PEAKS[:, 2:]) ** 2))
HOURLY /= HOURLY.sum()  # daily rhythm: quiet nights, morning, lunch and evening peaks
SYLLABLES = ("ma", "li", "ren", "sa", "ki", "no", "la", "vi", "da", "jo", "bri", "fen", "zo")
ENDINGS = ("", "a", "n", "o", "ie", "el", "us")
LAST_A = ("ash", "fern", "brook", "stone", "wren", "moss", "ridge", "marsh", "pine", "alder")
LAST_B = ("by", "well", "field", "ford", "worth", "wood", "more", "dale", "wick")
ACCENT = str.maketrans("aeiou", "áéíöü")
EMOJI = ("🌲", "🏔️", "🌱", "🏃\u200d♀️", "🔥", "⛺", "🧗")
PHRASES = (
    ("Sunrise 18k on the ridge loop", "Hill repeats done, legs are toast"),
    ("Signed up for my first ultra", "Muddy, cold, perfect: Sunday long run"),
    ("Lentil chili that survives a 3-day hike", 'Cashew "cheese" that works at camp'),
    ("Oat bars, dates, peanut butter: race fuel sorted", "Tofu scramble on a camp stove"),
    ("Finally sent the overhang project", "Finger strength day at the board"),
    ("New crag, 40 routes, zero crowds", "Rope check before the season starts"),
    ("200 km later: honest review of these trail shoes", "Packing list for a fast weekend"),
    ("Is a 900 g tent worth it?", "Repaired my shell jacket instead of replacing it"),
    ("Stars, stove, silence", "Campsite with a lake view, no signal"),
    ("Rain all night, tent stayed dry", "One-pot pasta for four at 2000 m"),
    ("Picked up 3 kg of litter on the trail today", "Second-hand gear swap this Saturday"),
    ("Trains over flights for the Alps trip", "Why I stopped buying new every season"),
)  # four per topic in TOPICS order: topic t, phrase j is PHRASES[2 * t + j // 2][j % 2]
SUFFIXES = ("", "!", ". Thoughts?", ", no regrets.", " 🙌", "\n\nWho's in?", ', "worth it"')


@dataclass(frozen=True)
class DemoSummary:
    """What `generate_demo` wrote: row counts and the vocabulary of the dataset."""

    users: int
    posts: int
    amplifications: int
    brand_accounts: int
    topics: tuple[str, ...]
    communities: int


@dataclass(frozen=True)
class _World:
    """Per-user arrays of the population and per-post arrays of what it posted."""

    role: IntArray
    comm: IntArray  # home community, -1 for the brand and the boosters
    comm2: IntArray  # second community of a bridge, else -1
    topics: IntArray  # two topic indices per user
    followers: IntArray
    attract: FloatArray  # weight as an amplification target
    n_posts: IntArray  # organic posts, stored author-contiguously first in the post arrays
    author: IntArray
    ptime: IntArray  # seconds since the start
    tags: IntArray  # two topic indices per post, -1 for none
    bursts: IntArray  # booster burst times
    hostile: int  # the user whose handle and name try to inject HTML


def _lognormal(rng: np.random.Generator, median: FloatArray, sigma: FloatArray) -> FloatArray:
    """Draw one lognormal value per element around ``median`` with log-spread ``sigma``."""
    return np.asarray(median * np.exp(sigma * rng.standard_normal(median.size)), np.float64)


def _event_times(rng: np.random.Generator, size: int, day_p: FloatArray) -> IntArray:
    """Seconds since the start for ``size`` events following the weekly and daily rhythm."""
    day = rng.choice(day_p.size, size=size, p=day_p)
    hour = rng.choice(24, size=size, p=HOURLY)
    return np.asarray(day * 86400 + hour * 3600 + rng.integers(0, 3600, size), np.int64)


def _world(rng: np.random.Generator, users: int, day_p: FloatArray) -> _World:
    """Draw roles, communities, audiences and posts of ``users`` fictional accounts."""
    n_comm = len(COMMUNITIES)
    sizes = (2, 3 * n_comm, max(3, users // 400), max(2, users // 600), 8 if users >= 500 else 5)
    rest = users - sum(sizes)
    crowd = np.where(rng.random(rest) < 0.58, REGULAR, FAN)
    role = np.concatenate([np.full(k, r) for r, k in enumerate(sizes)] + [crowd]).astype(np.int64)
    picked = rng.integers(0, n_comm, sizes[2] + sizes[3])
    shares = rng.dirichlet(np.full(n_comm, 4.0))
    parts = [np.full(2, -1), np.repeat(np.arange(n_comm), 3), picked, np.full(sizes[4], -1)]
    comm = np.concatenate([*parts, rng.choice(n_comm, rest, p=shares)]).astype(np.int64)
    shift = 1 + rng.integers(0, n_comm - 1, users)
    comm2 = np.where(role == BRIDGE, (comm + shift) % n_comm, -1)
    pairs = np.array([c[1] for c in COMMUNITIES], dtype=np.int64)
    anywhere = rng.integers(0, len(TOPICS), (users, 2))
    topics = np.where(comm[:, None] >= 0, pairs[np.maximum(comm, 0)], anywhere)
    topics[role == BRIDGE, 1] = pairs[comm2[role == BRIDGE], 0]
    p = ROLE[role]
    followers = np.exp(p[:, 4] + p[:, 5] * rng.standard_normal(users)).astype(np.int64)
    followers[1] //= 9  # the care account is the smaller of the two brand accounts
    attract = _lognormal(rng, p[:, 6], p[:, 7])
    n_posts = rng.poisson(_lognormal(rng, p[:, 0], p[:, 1]) * day_p.size)
    n_posts = np.where(role <= BRIDGE, np.maximum(n_posts, 1), n_posts)
    hostile = int(np.flatnonzero(role == REGULAR)[0])  # low profile, but posts and is seen
    attract[hostile], followers[hostile], n_posts[hostile] = 0.3, 41, max(n_posts[hostile], 2)
    author = np.repeat(np.arange(users), n_posts)
    ptime = _event_times(rng, author.size, day_p)
    boosters = np.flatnonzero(role == BOOSTER)
    bursts = np.sort(_event_times(rng, max(3, day_p.size * 2 // 5), day_p))
    b_time = np.repeat(bursts, boosters.size) + rng.integers(0, 300, bursts.size * boosters.size)
    author = np.concatenate([author, np.tile(boosters, bursts.size)])
    ptime = np.concatenate([ptime, b_time])
    n = author.size
    first = topics[author, np.asarray(rng.random(n) < 0.35, np.int64)]
    first = np.where(rng.random(n) < 0.12, rng.integers(0, len(TOPICS), n), first)
    first[int(n_posts.sum()) :] = TOPICS.index("gear")  # booster giveaways
    second = np.where(rng.random(n) < 0.35, rng.integers(0, len(TOPICS), n), -1)
    tags = np.stack([first, np.where(second == first, -1, second)], axis=1).astype(np.int64)
    fields = (role, comm, comm2, topics, followers, attract, n_posts, author, ptime, tags, bursts)
    return _World(*fields, hostile)


def _people(rng: np.random.Generator, w: _World) -> list[list[str]]:
    """Make unique ASCII handles, display names (a few accented or with emoji), bios, URLs."""
    taken: set[str] = set()
    rows: list[list[str]] = []
    for i, (r, t) in enumerate(zip(w.role.tolist(), w.topics[:, 0].tolist(), strict=True)):
        syl = rng.integers(0, len(SYLLABLES), 2)
        first = SYLLABLES[syl[0]] + SYLLABLES[syl[1]] + ENDINGS[rng.integers(0, len(ENDINGS))]
        last = LAST_A[rng.integers(0, len(LAST_A))] + LAST_B[rng.integers(0, len(LAST_B))]
        number = rng.integers(1, 99)
        styles = (f"{first}{last}", f"{first}_{last}", f"{first}{last[:3]}{number}")
        handle = (*styles, f"{TOPIC_TABLE[t][2]}{first}")[rng.integers(0, 4)]
        while handle in taken:
            handle += str(rng.integers(0, 10))
        taken.add(handle)
        name = f"{first.capitalize()} {last.capitalize()}"
        if rng.random() < 0.08:
            name = re.sub("[aeiou]", lambda m: m[0].translate(ACCENT), name, count=1)
        if rng.random() < 0.06:
            name += " " + EMOJI[rng.integers(0, len(EMOJI))]
        blog = f"https://{handle.replace('_', '-')}.blog.example/" if r == AUTHORITY else ""
        rows.append([handle, name, _bio(r, t, i, last.capitalize()), blog])
    site = "https://northwind-outdoors.example/"
    brand_bio = 'Gear for trails, crags and "slow" camps. Help: @NorthwindCare'
    rows[0] = ["NorthwindOutdoors", BRAND_NAME, brand_bio, site]
    rows[1] = ["NorthwindCare", f"{BRAND_NAME} Care", "Orders, repairs, returns. Mon-Fri.", site]
    rows[w.hostile][:2] = [HOSTILE_HANDLE, '"><script>alert("demo")</script>']
    return rows


def _bio(role: int, topic: int, i: int, last: str) -> str:
    """Write a profile text in the voice of a role, with commas and quotes that need quoting."""
    word, other = TOPIC_TABLE[topic][1], TOPIC_TABLE[(topic + 1 + i % 5) % 6][1]
    if role == AUTHORITY:
        book = PHRASES[2 * topic + i % 2][0]
        return f'Writing about {word} and {other} at {last}\'s blog. Author of "{book}", coach.'
    if role == AMBASSADOR:
        partner = f" Partner of {BRAND_NAME}." if i % 2 else ""
        return f"{word.capitalize()} every weekend, honest reviews, no fluff.{partner}"
    if role == BRIDGE:
        return f"Somewhere between {word} and {other}; sharing the best of both."
    if role == BOOSTER:
        return "Follow back 💯 | deals, giveaways, growth | DM for promo"
    return ("", "", f"{word}, coffee, dogs", f'"Out there" more than in here. {word}.')[i % 4]


def _organic(rng: np.random.Generator, w: _World, day_p: FloatArray) -> Acts:
    """Amplify mostly inside the home community, now and then the brand or another community."""
    n_comm, p = len(COMMUNITIES), ROLE[w.role]
    amp = np.repeat(
        np.arange(w.role.size), rng.poisson(_lognormal(rng, p[:, 2], p[:, 3]) * day_p.size)
    )
    home = np.where((w.comm2[amp] >= 0) & (rng.random(amp.size) < 0.5), w.comm2[amp], w.comm[amp])
    away = (home + 1 + rng.integers(0, n_comm - 1, amp.size)) % n_comm
    group = np.where(rng.random(amp.size) < 0.85, home, away)
    group[rng.random(amp.size) < p[amp, 8]] = n_comm  # the brand accounts
    group[w.role[amp] == BRAND] = n_comm + 1  # the brand amplifies its ambassadors
    target = np.zeros(amp.size, np.int64)
    for g in range(n_comm + 2):
        if g < n_comm:
            pool = np.flatnonzero(
                ((w.comm == g) | (w.comm2 == g)) & (w.n_posts > 0) & (w.attract > 0)
            )
            weight = np.cumsum(w.attract[pool])
        else:  # every brand account and ambassador has posted
            pool = np.flatnonzero(w.role == (BRAND if g == n_comm else AMBASSADOR))
            weight = np.cumsum(np.linspace(1.0, 0.3, pool.size))
        sel = np.flatnonzero(group == g)
        pick = np.searchsorted(weight, rng.random(sel.size) * weight[-1], side="right")
        target[sel] = pool[np.minimum(pick, pool.size - 1)]
    # A post of the target, popular posts more often: search its slice of cumulative virality.
    virality = np.cumsum(rng.lognormal(0.0, 1.0, int(w.n_posts.sum())))
    lo = np.cumsum(w.n_posts)[target] - w.n_posts[target]
    hi = lo + w.n_posts[target] - 1
    base = np.where(lo > 0, virality[np.maximum(lo - 1, 0)], 0.0)
    u = base + rng.random(amp.size) * (virality[hi] - base)
    post = np.clip(np.searchsorted(virality, u, side="right"), lo, hi)
    kind = rng.choice(len(KINDS), amp.size, p=KIND_P)
    post[kind == KINDS.index("mention")] = -1
    delay = 30 + rng.lognormal(np.log(1500.0), 1.6, amp.size).astype(np.int64)
    when = np.where(post >= 0, w.ptime[post] + delay, _event_times(rng, amp.size, day_p))
    return amp, target, post, kind, when


def _ring(rng: np.random.Generator, w: _World) -> Acts:
    """Each burst, every booster retweets the other boosters and the latest brand post."""
    boosters = np.flatnonzero(w.role == BOOSTER)
    b_post = np.arange(int(w.n_posts.sum()), w.author.size)
    brand_posts = np.flatnonzero(w.author < 2)
    brand_posts = brand_posts[np.argsort(w.ptime[brand_posts], kind="stable")]
    latest = np.searchsorted(w.ptime[brand_posts], w.bursts) - 1
    ok = latest >= 0
    amp = np.concatenate([np.repeat(boosters, b_post.size), np.tile(boosters, int(ok.sum()))])
    post = np.concatenate(
        [np.tile(b_post, boosters.size), np.repeat(brand_posts[latest[ok]], boosters.size)]
    )
    base = np.concatenate(
        [np.tile(w.ptime[b_post], boosters.size), np.repeat(w.bursts[ok], boosters.size)]
    )
    keep = (w.author[post] != amp) & (rng.random(amp.size) < 0.85)
    when = base[keep] + rng.integers(30, 900, int(keep.sum()))
    return amp[keep], w.author[post[keep]], post[keep], np.zeros(when.size, np.int64), when


def _amplifications(rng: np.random.Generator, w: _World, day_p: FloatArray) -> Acts:
    """Organic and ring amplifications, deduplicated, inside the window, in time order."""
    parts = zip(_organic(rng, w, day_p), _ring(rng, w), strict=True)
    amp, author, post, kind, when = (np.concatenate(pair) for pair in parts)
    obj = np.where(post >= 0, post, w.author.size + np.arange(amp.size))  # mentions never repeat
    _, first = np.unique((amp * (w.author.size + amp.size) + obj) * 8 + kind, return_index=True)
    keep = np.zeros(amp.size, bool)
    keep[first] = True  # nobody retweets (or likes, ...) the same post twice
    keep &= (amp != author) & (when < day_p.size * 86400)
    order = np.flatnonzero(keep)[np.lexsort((amp[keep], when[keep]))]
    return amp[order], author[order], post[order], kind[order], when[order]


def _stamps(start: datetime, seconds: IntArray) -> list[str]:
    """Format seconds since ``start`` (UTC) as ISO-8601 timestamps ending in ``Z``."""
    base = np.datetime64(start.replace(tzinfo=None), "s")
    return [f"{t}Z" for t in np.datetime_as_string(base + seconds.astype("timedelta64[s]"))]


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write one RFC 4180 CSV file: UTF-8, CRLF line ends, a header row."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _text(role: int, tags: Sequence[int], phrase: int, suffix: int) -> str:
    """Write a post's text from its author's role and topics, ending in its hashtags."""
    if role == BOOSTER:
        text = "🔥 GIVEAWAY 🔥 RT + follow to win, only today"
    elif role == BRAND:
        text = TOPIC_TABLE[tags[0]][3] + SUFFIXES[suffix]
    else:
        text = PHRASES[2 * tags[0] + phrase // 2][phrase % 2] + SUFFIXES[suffix]
    spelled = (TOPICS[t].capitalize() if suffix == 1 else TOPICS[t] for t in tags if t >= 0)
    return text + "".join(f" #{tag}" for tag in spelled)


def _post_rows(
    rng: np.random.Generator, w: _World, ids: Sequence[str], start: datetime
) -> tuple[list[list[str]], list[str]]:
    """Rows of posts.csv in time order, and the post id of every post index."""
    order = np.lexsort((w.author, w.ptime))
    p_ids = [""] * w.author.size
    for n, k in enumerate(order.tolist()):
        p_ids[k] = f"p{n + 1:06d}"
    phrase = rng.integers(0, 4, w.author.size).tolist()
    suffix = rng.integers(0, len(SUFFIXES), w.author.size).tolist()
    rows = []
    for k, created in zip(order.tolist(), _stamps(start, w.ptime[order]), strict=True):
        tags, author = w.tags[k].tolist(), int(w.author[k])
        text = _text(int(w.role[author]), tags, phrase[k], suffix[k])
        hashtags = ";".join(TOPICS[t] for t in tags if t >= 0)
        url = f"https://social.example/{ids[author]}/status/{p_ids[k]}"
        rows.append([p_ids[k], ids[author], created, text, hashtags, "en", url])
    return rows, p_ids


def generate_demo(
    out_dir: Path,
    *,
    seed: int = 7,
    users: int = 3000,
    days: int = 30,
    start: datetime | None = None,
) -> DemoSummary:
    """Write a realistic, fictional marketing dataset in the generic data contract.

    Parameters
    ----------
    out_dir : Path
        Directory to write ``users.csv``, ``posts.csv`` and ``amplifications.csv`` into;
        created when missing, existing files are replaced.
    seed : int, optional
        Seed of the random generator; the same arguments give byte-identical files.
    users : int, optional
        Number of accounts, at least 100.
    days : int, optional
        Length of the activity window in days, at least 1; nothing is dated after it.
    start : datetime, optional
        Start of the window; a naive value is taken as UTC. Default 2026-10-01T00:00:00Z.

    Returns
    -------
    DemoSummary
        Row counts of the three files, the brand accounts, the topics used, the communities.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     summary = generate_demo(Path(tmp), users=200, days=3)
    >>> summary.users, summary.brand_accounts, summary.communities
    (200, 2, 5)
    """
    if users < 100 or days < 1:
        raise ValueError(f"generate_demo needs users >= 100 and days >= 1, got {users}, {days}")
    start = DEFAULT_START if start is None else start
    start = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)
    rng = np.random.default_rng(seed)
    day_p = np.where((start.weekday() + np.arange(days)) % 7 >= 5, 1.35, 1.0)  # busy weekends
    day_p /= day_p.sum()
    w = _world(rng, users, day_p)
    people = _people(rng, w)
    ids = ["nw-brand-1", "nw-brand-2"] + [f"u{k + 1:05d}" for k in rng.permutation(users - 2)]
    amp, author, post, kind, when = _amplifications(rng, w, day_p)
    post_rows, p_ids = _post_rows(rng, w, ids, start)
    p_ids.append("")  # post index -1: a mention of no particular post

    out_dir.mkdir(parents=True, exist_ok=True)
    user_rows: list[list[object]] = []
    for i in sorted(range(users), key=ids.__getitem__):
        handle, name, bio, url = people[i]
        is_brand = "true" if w.role[i] == BRAND else "false"
        user_rows.append([ids[i], handle, name, int(w.followers[i]), bio, url, is_brand, "twitter"])
    _write(out_dir / "users.csv", USER_COLUMNS, user_rows)
    _write(out_dir / "posts.csv", POST_COLUMNS, post_rows)
    acts = zip(amp.tolist(), author.tolist(), post.tolist(), kind.tolist(), strict=True)
    amp_rows = (
        [f"a{n + 1:06d}", ids[a], ids[b], p_ids[p], KINDS[k], created]
        for n, ((a, b, p, k), created) in enumerate(zip(acts, _stamps(start, when), strict=True))
    )
    _write(out_dir / "amplifications.csv", AMPLIFICATION_COLUMNS, amp_rows)
    used = np.unique(w.tags[w.tags >= 0]).tolist()
    return DemoSummary(
        users=users,
        posts=len(post_rows),
        amplifications=amp.size,
        brand_accounts=int((w.role == BRAND).sum()),
        topics=tuple(TOPICS[t] for t in used),
        communities=len(COMMUNITIES),
    )
