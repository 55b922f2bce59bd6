"""Load uploads and run the analysis in the background; poll the job for progress."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from api.analysis_engine import run_analysis
from api.auth import AUTH_RESPONSES, TOKEN_REQUIRED
from api.deps import SettingsDep, StoreProvider
from api.error_responses import BAD_INPUT, ErrorOut
from api.job_files import job_rejects, new_upload_folder
from api.jobs import Job, JobBusy, JobControl, JobFinished, JobKind, JobRunner, JobState, Work
from api.uploads import UploadRefused, UploadTooLarge, receive_files
from graph.analysis.profile import NAME_PATTERN, load_profile
from graph.analysis.rolling import DURATION, InvalidWindows, duration_ms
from graph.analysis.window import MOMENT, Window
from graph.errors import GraphError
from loaders.detect import FORMATS, open_reader
from loaders.formats.contract import CsvContractReader
from loaders.guard import LoadGuard, describe_bytes
from loaders.pipeline import load
from loaders.records import Reader
from loaders.report import relative_text

router = APIRouter(prefix="/api/jobs", tags=["jobs"])

CONTRACT = {f"{t}.csv{gz}" for t in ("users", "posts", "amplifications") for gz in ("", ".gz")}
MAX_FILES = 20
BUSY: dict[int | str, dict[str, Any]] = {
    409: {
        "model": ErrorOut,
        "description": "another job is running (here, or a CLI load or analyze on the same "
        "data directory); the message names it",
    },
    **AUTH_RESPONSES,
}
CANCEL_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "no such job"},
    409: {"model": ErrorOut, "description": "the job has already ended"},
    **AUTH_RESPONSES,
}
RESPONSES: dict[int | str, dict[str, Any]] = {
    **BAD_INPUT,
    422: {
        **BAD_INPUT[422],
        "description": "invalid input, an unknown profile, or since not before until",
    },
    **BUSY,
}
LOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: {
        **BAD_INPUT[422],
        "description": f"not 1 to {MAX_FILES} files with allowed names, or a format not known",
    },
    413: {"model": ErrorOut, "description": "the files are over RESONANCE_MAX_UPLOAD_BYTES"},
    **BUSY,
}
#: The load's body, parsed by ``api.uploads`` as it streams (so FastAPI does not declare it).
LOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "minItems": 1,
                            "maxItems": MAX_FILES,
                            "description": "one or more exports (.gz allowed), at most "
                            f"{MAX_FILES}, together at most RESONANCE_MAX_UPLOAD_BYTES",
                        },
                        "format": {
                            "type": "string",
                            "enum": list(FORMATS),
                            "description": "the format; recognised when absent",
                        },
                    },
                }
            }
        },
    }
}


class JobOut(BaseModel):
    id: str
    kind: JobKind
    state: JobState = Field(
        description="queued, running, done, failed, cancelled (DELETE /api/jobs/{id}; what "
        "was written before is kept), or interrupted (the server stopped while it was queued "
        "or running)"
    )
    progress: float = Field(
        ge=0,
        le=1,
        description="0..1; a load counts decompressed bytes (a .gz's total from its gzip "
        "trailer) and reads 1 only when done",
    )
    message: str
    result: dict[str, Any] | None = Field(default=None, description="the summary, when done")
    error: str | None = Field(default=None, description="why it failed or was interrupted")
    submitted_at: str | None = Field(default=None, description="ISO 8601, UTC")
    started_at: str | None = Field(default=None, description="ISO 8601, UTC")
    finished_at: str | None = Field(default=None, description="ISO 8601, UTC")


class JobsOut(BaseModel):
    items: list[JobOut] = Field(description="the latest first")
    total: int
    limit: int
    offset: int


class AnalyzeIn(BaseModel):
    profile: str = Field(
        default="default", pattern=NAME_PATTERN, description="built-in (default, recent) or saved"
    )
    since: str | None = Field(
        default=None, pattern=MOMENT, description="ISO date or date-time; UTC unless it says"
    )
    until: str | None = Field(
        default=None, pattern=MOMENT, description="as since; a bare date includes that day"
    )
    windows: str | None = Field(
        default=None,
        pattern=DURATION,
        description="score rolling windows of this length (7d, 12h, 2w), each a run",
    )
    step: str | None = Field(
        default=None, pattern=DURATION, description="between window ends (default: windows)"
    )


def get_jobs(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.jobs
    return runner


JobsDep = Annotated[JobRunner, Depends(get_jobs)]


def _stores(request: Request) -> StoreProvider:
    provider: StoreProvider = request.app.state.stores
    return provider


def _out(job: Job) -> JobOut:
    return JobOut.model_validate(job.snapshot())


def submit_job(
    runner: JobRunner, kind: JobKind, work: Work, *, cleanup: Callable[[], None] | None = None
) -> JobOut:
    """Start ``work`` as a job of ``kind``; a 409 while another job runs."""
    try:
        return _out(runner.submit(kind, work, cleanup=cleanup))
    except JobBusy as exc:
        raise HTTPException(409, str(exc)) from None


@router.post(
    "/analyze",
    status_code=202,
    response_model=JobOut,
    responses=RESPONSES,
    dependencies=[TOKEN_REQUIRED],
)
def analyze_job(
    request: Request, runner: JobsDep, settings: SettingsDep, body: AnalyzeIn | None = None
) -> JobOut:
    """Score the amplification (optionally in a window) with a profile, in the background."""
    body = body or AnalyzeIn()
    # An unknown profile (ProfileError) and a bad window (InvalidWindow) are 422s of the one
    # error handler (api/errors.py).
    profile = load_profile(body.profile, settings.data_dir)
    window = Window.parse(body.since, body.until, names=("since", "until"))
    stores = _stores(request)

    if body.step is not None and body.windows is None:
        raise InvalidWindows("step needs windows")
    window_ms = None if body.windows is None else duration_ms(body.windows, name="windows")
    step_ms = None if body.step is None else duration_ms(body.step, name="step")

    def work(control: JobControl) -> dict[str, Any]:
        # the control raises Cancelled at the next step once the job is cancelled; the engine
        # is RESONANCE_ENGINE's
        summaries = run_analysis(
            settings,
            stores.store(),
            profile,
            since=window.since,
            until=window.until,
            window_ms=window_ms,
            step_ms=step_ms,
            progress=control,
        )
        if window_ms is None:
            return {"profile": profile.name, **asdict(summaries[0])}
        # The newest window's summary, as a plain analysis gives it, and every window's.
        windows = [asdict(summary) for summary in summaries]
        return {"profile": profile.name, **windows[-1], "windows": windows}

    return submit_job(runner, "analyze", work)


def _readers(folder: Path, names: list[str], format_name: str | None) -> list[Reader]:
    contract = [name for name in names if name in CONTRACT]
    readers: list[Reader] = [CsvContractReader(folder)] if contract else []
    readers += [open_reader(folder / n, format_name) for n in names if n not in CONTRACT]
    return readers


@router.post(
    "/load",
    status_code=202,
    response_model=JobOut,
    responses=LOAD_RESPONSES,
    dependencies=[TOKEN_REQUIRED],
    openapi_extra=LOAD_BODY,
)
async def load_job(request: Request, runner: JobsDep, settings: SettingsDep) -> JobOut:
    """Load uploaded exports in the background (multipart: ``files``, optional ``format``).
    The generic CSV contract is uploaded as its files (``users.csv``, ``posts.csv``,
    ``amplifications.csv``) in one request. The files are saved as they arrive; past
    ``RESONANCE_MAX_UPLOAD_BYTES`` together the upload is refused with 413 and nothing kept."""
    try:
        runner.check_idle()  # before the upload, not after minutes of it
    except JobBusy as exc:
        raise HTTPException(409, str(exc)) from None
    folder = new_upload_folder(settings.data_dir)
    try:
        form = await receive_files(
            request,
            folder,
            file_field="files",
            max_bytes=settings.max_upload_bytes,
            max_files=MAX_FILES,
        )
        format_name = form.fields.get("format") or None
        if format_name is not None and format_name not in FORMATS:
            expected = ", ".join(FORMATS)
            raise UploadRefused(f"unknown format {format_name!r}; expected one of {expected}")
        readers = _readers(folder, form.files, format_name)
    except UploadTooLarge as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise HTTPException(413, str(exc)) from None
    except (UploadRefused, GraphError) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise HTTPException(422, relative_text(str(exc), folder)) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    stores = _stores(request)
    data_dir = settings.data_dir

    def work(control: JobControl) -> dict[str, Any]:
        # Rejected rows are listed in the data directory (the result names the file relative
        # to it), never in the server's working directory.
        rejects = job_rejects(data_dir, control.job_id)
        guard = LoadGuard(max_unpacked_bytes=settings.max_unpacked_bytes, cancel=control.cancel)
        try:
            report = load(
                stores.store(),
                readers,
                rejects_path=rejects,
                progress=_load_progress(readers, control),
                guard=guard,
                root=folder,
            )
        except Exception as exc:
            message = relative_text(relative_text(str(exc), folder), data_dir)
            raise JobError(message or type(exc).__name__) from exc
        result = report.as_dict()
        if report.rejects_path is not None:
            result["rejects_path"] = str(report.rejects_path.relative_to(data_dir))
        result["unpacked_bytes"] = guard.unpacked
        return result

    def cleanup() -> None:
        shutil.rmtree(folder, ignore_errors=True)

    try:
        return submit_job(runner, "load", work, cleanup=cleanup)
    except HTTPException:
        cleanup()
        raise


class JobError(Exception):
    """A job's failure, told without the server's paths."""


def _load_progress(
    readers: list[Reader], control: JobControl
) -> Callable[[Reader, int, int, int], None]:
    """Progress over all the readers, in decompressed bytes (``loaders.load_run.LoadProgress``):
    each reader's share is its estimated size; the fraction never goes back."""
    totals = [max(reader.unpacked_size(), 1) for reader in readers]
    places = {id(reader): index for index, reader in enumerate(readers)}
    shown = [0.0]

    def progress(reader: Reader, rows: int, done: int, total: int) -> None:
        index = places.get(id(reader), 0)
        before = sum(totals[:index])
        whole = before + max(total, totals[index]) + sum(totals[index + 1 :])
        shown[0] = max(shown[0], min((before + done) / whole, 0.99))  # 1 once the job is done
        name, read, size = reader.current_path.name, describe_bytes(done), describe_bytes(total)
        control(f"loading {name}: {rows:,} rows, {read} of ~{size} unpacked", shown[0])

    return progress


@router.delete(
    "/{job_id}",
    status_code=202,
    response_model=JobOut,
    responses=CANCEL_RESPONSES,
    dependencies=[TOKEN_REQUIRED],
)
def cancel_job(runner: JobsDep, job_id: str) -> JobOut:
    """Cancel a queued or running job: a load stops between records (rows written so far are
    kept: loading is idempotent), an analysis at its next step. The job then ends
    ``cancelled``; poll it to see it end."""
    try:
        return _out(runner.cancel(job_id))
    except KeyError:
        raise HTTPException(404, f"job {job_id!r} not found") from None
    except JobFinished as exc:
        raise HTTPException(409, str(exc)) from None


@router.get("", response_model=JobsOut)
def list_jobs(
    runner: JobsDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JobsOut:
    """The jobs remembered (the last 100, kept across restarts), the latest first."""
    jobs = runner.jobs()
    page = [_out(job) for job in jobs[offset : offset + limit]]
    return JobsOut(items=page, total=len(jobs), limit=limit, offset=offset)


@router.get("/{job_id}", response_model=JobOut, responses={404: {"model": ErrorOut}})
def get_job(runner: JobsDep, job_id: str) -> JobOut:
    """The job's state (queued, running, done, failed, interrupted), progress (0..1),
    message, times, and its result summary or error."""
    job = runner.get(job_id)
    if job is None:
        raise HTTPException(404, f"job {job_id!r} not found")
    return _out(job)
