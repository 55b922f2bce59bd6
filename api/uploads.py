"""Multipart uploads streamed straight into a folder, counted as they arrive.

The request body is parsed here, chunk by chunk, instead of by FastAPI (which would first spool
every file to a temporary file, however large): a file past the byte limit is refused while it
arrives, with nothing more read or written. The caller owns the folder and removes it on error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from loaders.guard import describe_bytes as human_bytes

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

#: The most bytes a plain (non-file) form field may have, and the most such fields.
MAX_FIELD_BYTES = 1_024
MAX_FIELDS = 20


class UploadRefused(Exception):
    """The upload is malformed or not allowed (422)."""


class UploadTooLarge(Exception):
    """The files together are larger than the limit (413); ``name`` is the file that crossed it."""

    def __init__(self, name: str, limit: int) -> None:
        super().__init__(
            f"{name}: the upload is larger than the limit of {limit:,} bytes"
            f" ({human_bytes(limit)}, RESONANCE_MAX_UPLOAD_BYTES); nothing was loaded"
        )
        self.name = name
        self.limit = limit


#: The most bytes (UTF-8) an uploaded file's name may have: what file systems allow (255).
MAX_NAME_BYTES = 255


def _shown(name: str) -> str:
    """The name as quoted in a refusal: its start only, control characters escaped."""
    return repr(name[:60] + ("..." if len(name) > 60 else ""))


def safe_name(name: str | None) -> str:
    """The file name as sent, when it is a plain one: no folder parts, no NUL or other control
    character, not hidden, at most ``MAX_NAME_BYTES`` bytes (UTF-8)."""
    name = name or ""
    if "/" in name or "\\" in name:
        raise UploadRefused(f"file name {_shown(name)} has folder parts; send the bare name")
    if not name or name in (".", "..") or name.startswith("."):
        raise UploadRefused(f"file name {_shown(name)} is not allowed (empty or hidden)")
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        raise UploadRefused(f"file name {_shown(name)} holds a control character (NUL, ...)")
    size = len(name.encode("utf-8", "surrogatepass"))
    if size > MAX_NAME_BYTES:
        raise UploadRefused(
            f"file name {_shown(name)} is {size:,} bytes long; at most {MAX_NAME_BYTES} allowed"
        )
    return name


@dataclass
class Uploaded:
    """What the form held: its plain fields, and the names of the files saved in the folder."""

    fields: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    size: int = 0


@dataclass
class _Part:
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    name: str = ""
    filename: str | None = None
    handle: BinaryIO | None = None
    data: bytearray = field(default_factory=bytearray)


class _Receiver:
    """The parser's callbacks: file parts go to ``folder``, plain fields to memory (bounded)."""

    def __init__(self, folder: Path, *, file_field: str, max_bytes: int, max_files: int) -> None:
        self.folder = folder
        self.file_field = file_field
        self.max_bytes = max_bytes
        self.max_files = max_files
        self.result = Uploaded()
        self.pending: list[tuple[BinaryIO, bytes]] = []
        self.open: list[BinaryIO] = []
        self.ended = 0
        self._part = _Part()
        self._header_name = bytearray()
        self._header_value = bytearray()

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": lambda data, start, end: self._header_name.extend(data[start:end]),
            "on_header_value": lambda data, start, end: self._header_value.extend(data[start:end]),
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
        }

    def part_begin(self) -> None:
        self._part = _Part()

    def header_end(self) -> None:
        self._part.headers.append((bytes(self._header_name).lower(), bytes(self._header_value)))
        self._header_name.clear()
        self._header_value.clear()

    def headers_finished(self) -> None:
        disposition = dict(self._part.headers).get(b"content-disposition", b"")
        _, options = parse_options_header(disposition)
        if b"name" not in options:
            raise UploadRefused("a form part has no name")
        self._part.name = options[b"name"].decode("utf-8", "replace")
        if b"filename" not in options:
            if len(self.result.fields) >= MAX_FIELDS:
                raise UploadRefused(f"more than {MAX_FIELDS} form fields")
            return
        if self._part.name != self.file_field:
            raise UploadRefused(
                f"files go in the {self.file_field!r} field, not {self._part.name!r}"
            )
        name = safe_name(options[b"filename"].decode("utf-8", "replace"))
        if name in self.result.files:
            raise UploadRefused(f"two uploaded files are named {name!r}")
        if len(self.result.files) >= self.max_files:
            raise UploadRefused(f"upload 1 to {self.max_files} files")
        self._part.filename = name
        self.result.files.append(name)
        try:
            self._part.handle = open(self.folder / name, "xb")  # noqa: SIM115 - closed in part_end
        except OSError as exc:  # a name this file system refuses
            raise UploadRefused(
                f"file name {_shown(name)} cannot be saved: {exc.strerror}"
            ) from None
        self.open.append(self._part.handle)

    def part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        part = self._part
        if part.handle is None:
            if len(part.data) + len(chunk) > MAX_FIELD_BYTES:
                raise UploadRefused(f"the form field {part.name!r} is over {MAX_FIELD_BYTES} bytes")
            part.data.extend(chunk)
            return
        self.result.size += len(chunk)
        if self.result.size > self.max_bytes:
            raise UploadTooLarge(part.filename or part.name, self.max_bytes)
        self.pending.append((part.handle, chunk))

    def part_end(self) -> None:
        part = self._part
        if part.handle is None:
            self.result.fields[part.name] = part.data.decode("utf-8", "replace")
        else:
            self.ended += 1
            self.pending.append((part.handle, b""))  # b"" marks the end: close it

    def flush(self) -> None:
        """Write what arrived (in a worker thread: disk writes would stall the event loop)."""
        for handle, chunk in self.pending:
            if chunk:
                handle.write(chunk)
            else:
                handle.close()
        self.pending.clear()

    def close(self) -> None:
        for handle in self.open:
            handle.close()


async def receive_files(
    request: Request, folder: Path, *, file_field: str, max_bytes: int, max_files: int
) -> Uploaded:
    """Parse the ``multipart/form-data`` body, saving each file of ``file_field`` in ``folder``.

    Raises :class:`UploadTooLarge` as soon as the files together pass ``max_bytes``, and
    :class:`UploadRefused` for a malformed body or a name that is not allowed.
    """
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or not options.get(b"boundary"):
        raise UploadRefused("send the files as multipart/form-data")
    receiver = _Receiver(folder, file_field=file_field, max_bytes=max_bytes, max_files=max_files)
    try:
        parser = MultipartParser(options[b"boundary"], receiver.callbacks())
        async for chunk in request.stream():
            parser.write(chunk)
            if receiver.pending:
                await run_in_threadpool(receiver.flush)
        parser.finalize()
        await run_in_threadpool(receiver.flush)
    except FormParserError as exc:
        raise UploadRefused(f"the multipart body cannot be read: {exc}") from None
    finally:
        receiver.close()
    if receiver.ended != len(receiver.result.files):
        raise UploadRefused("the upload ended in the middle of a file")
    if not receiver.result.files:
        raise UploadRefused(f"upload 1 to {max_files} files in the {file_field!r} field")
    return receiver.result
