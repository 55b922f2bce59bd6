"""Which reader reads a path: by the name the user gave, or by looking at the content."""

from __future__ import annotations

import gzip
import importlib
import inspect
from pathlib import Path
from typing import Any

from graph.errors import LoadError
from loaders.records import Reader

#: Format name -> "module:Class", in the order formats are tried when sniffing.
FORMATS: dict[str, str] = {
    "csv": "loaders.formats.contract:CsvContractReader",
    "graphml": "loaders.formats.graphml:GraphMLReader",
    "gexf": "loaders.formats.gexf:GexfReader",
    "twitter-v2": "loaders.formats.twitter_v2:TwitterV2Reader",
    "twitter-v1": "loaders.formats.twitter_v1:TwitterV1Reader",
    "tweet-csv": "loaders.formats.tweet_csv:TweetCsvReader",
    "snap": "loaders.formats.edgelist:SnapActivityReader",
    "cascade": "loaders.formats.edgelist:CascadeReader",
    "edgelist": "loaders.formats.edgelist:EdgeListReader",
}
_HEAD_BYTES = 4096


def reader_class(name: str) -> type[Reader]:
    """The reader class registered under ``name``."""
    try:
        module_name, class_name = FORMATS[name].split(":")
    except KeyError:
        known = ", ".join(FORMATS)
        raise LoadError(name, 0, "format", f"unknown format; expected one of {known}") from None
    cls: type[Reader] = getattr(importlib.import_module(module_name), class_name)
    return cls


def head_of(path: Path) -> bytes:
    """The first bytes of a file's content, gunzipped when needed (empty for a directory)."""
    if path.is_dir():
        return b""
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as handle:
                return handle.read(_HEAD_BYTES)
        with open(path, "rb") as handle:
            return handle.read(_HEAD_BYTES)
    except (OSError, EOFError) as exc:
        raise LoadError(str(path), 0, "path", f"cannot read: {exc}") from exc


def detect(path: Path) -> str:
    """The name of the first format whose reader recognises ``path``."""
    if not path.exists():
        raise LoadError(str(path), 0, "path", "no such file or directory")
    head = head_of(path)
    for name in FORMATS:
        if reader_class(name).sniff(path, head):
            return name
    raise LoadError(
        str(path),
        1,
        "format",
        f"not a format Resonance recognises; name one of {', '.join(FORMATS)} explicitly",
    )


def open_reader(path: Path, format_name: str | None = None, **options: Any) -> Reader:
    """A reader for ``path``; options the reader does not take are left out."""
    cls = reader_class(format_name or detect(path))
    accepted = inspect.signature(cls.__init__).parameters
    given = {key: value for key, value in options.items() if key in accepted and value is not None}
    return cls(path, **given)
