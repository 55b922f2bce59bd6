"""Load uploads and run the analysis in the background; poll the job for progress."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from pydantic import BaseModel, Field

from api.auth import WRITE
from api.deps import SettingsDep, StoreProvider
from api.explorer_schemas import ErrorOut
from api.jobs import Job, JobBusy, JobRunner, Report
from graph.analysis import analyze
from graph.errors import GraphError
from graph.profile import load_profile
from graph.window import window_bound
from loaders.detect import FORMATS, open_reader
from loaders.formats.contract import CsvContractReader
from loaders.pipeline import load
from loaders.records import Reader

router = APIRouter(prefix="/api/jobs", tags=["jobs"])

CONTRACT = {f"{t}.csv{gz}" for t in ("users", "posts", "amplifications") for gz in ("", ".gz")}
MAX_FILES = 20
RESPONSES: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorOut, "description": "another job is running"},
    422: {"model": ErrorOut, "description": "bad input"},
}


class JobOut(BaseModel):
    id: str
    kind: str = Field(description="load or analyze")
    state: str = Field(description="queued, running, done or failed")
    progress: float = Field(ge=0, le=1)
    message: str
    result: dict[str, Any] | None = Field(default=None, description="the summary, when done")
    error: str | None = Field(default=None, description="why it failed")


class AnalyzeIn(BaseModel):
    profile: str = Field(default="default", min_length=1, max_length=100)
    since: str | None = Field(default=None, max_length=40, description="ISO date or date-time")
    until: str | None = Field(default=None, max_length=40, description="a bare date includes it")


def get_jobs(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.jobs
    return runner


JobsDep = Annotated[JobRunner, Depends(get_jobs)]


def _stores(request: Request) -> StoreProvider:
    provider: StoreProvider = request.app.state.stores
    return provider


def _out(job: Job) -> JobOut:
    return JobOut.model_validate(job.snapshot())


def _submit(runner: JobRunner, **kwargs: Any) -> JobOut:
    try:
        return _out(runner.submit(**kwargs))
    except JobBusy as exc:
        raise HTTPException(409, str(exc)) from None


@router.post(
    "/analyze", status_code=202, response_model=JobOut, responses=RESPONSES, dependencies=[WRITE]
)
def analyze_job(
    request: Request, runner: JobsDep, settings: SettingsDep, body: AnalyzeIn | None = None
) -> JobOut:
    """Score the amplification (optionally in a window) with a profile, in the background."""
    body = body or AnalyzeIn()
    try:
        profile = load_profile(body.profile, settings.data_dir)
        start = window_bound(body.since, end=False, name="since")
        end = window_bound(body.until, end=True, name="until")
    except GraphError as exc:
        raise HTTPException(422, str(exc)) from None
    if start is not None and end is not None and start >= end:
        raise HTTPException(422, f"since {body.since} is not before until {body.until}")
    stores = _stores(request)

    def work(report: Report) -> dict[str, Any]:
        summary = analyze(stores.store(), profile, since=start, until=end, progress=report)
        return {"profile": profile.name, **asdict(summary)}

    return _submit(runner, kind="analyze", work=work)


def _safe_name(name: str | None) -> str:
    base = Path(name or "").name
    if not base or base in (".", "..") or base.startswith("."):
        raise HTTPException(422, f"file name {name!r} is not allowed")
    return base


def _readers(folder: Path, names: list[str], format_name: str | None) -> list[Reader]:
    contract = [name for name in names if name in CONTRACT]
    readers: list[Reader] = [CsvContractReader(folder)] if contract else []
    readers += [open_reader(folder / n, format_name) for n in names if n not in CONTRACT]
    return readers


@router.post(
    "/load", status_code=202, response_model=JobOut, responses=RESPONSES, dependencies=[WRITE]
)
async def load_job(
    request: Request,
    runner: JobsDep,
    settings: SettingsDep,
    files: Annotated[list[UploadFile], File(description="one or more exports (.gz allowed)")],
    format: Annotated[str | None, Form(description="the format; recognised when absent")] = None,
) -> JobOut:
    """Load uploaded exports in the background. The generic CSV contract is uploaded as its
    files (``users.csv``, ``posts.csv``, ``amplifications.csv``) in one request."""
    if format is not None and format not in FORMATS:
        raise HTTPException(422, f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
    if not files or len(files) > MAX_FILES:
        raise HTTPException(422, f"upload 1 to {MAX_FILES} files")
    names = [_safe_name(upload.filename) for upload in files]
    if len(set(names)) != len(names):
        raise HTTPException(422, "two uploaded files have the same name")
    uploads = settings.data_dir / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=uploads))
    try:
        for upload, name in zip(files, names, strict=True):
            with open(folder / name, "wb") as handle:
                while chunk := await upload.read(1 << 20):
                    handle.write(chunk)
        readers = _readers(folder, names, format)
    except GraphError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise HTTPException(422, str(exc)) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    stores = _stores(request)

    def work(report: Report) -> dict[str, Any]:
        def progress(reader: Reader, rows: int, done: int, total: int) -> None:
            report(f"loading {reader.path.name}: {rows:,} rows", done / total if total else 0.0)

        return load(stores.store(), readers, progress=progress).as_dict()

    def cleanup() -> None:
        shutil.rmtree(folder, ignore_errors=True)

    try:
        return _submit(runner, kind="load", work=work, cleanup=cleanup)
    except HTTPException:
        cleanup()
        raise


@router.get("/{job_id}", response_model=JobOut, responses={404: {"model": ErrorOut}})
def get_job(runner: JobsDep, job_id: str) -> JobOut:
    """The job's state (queued, running, done, failed), progress (0..1), message, and its
    result summary or error."""
    job = runner.get(job_id)
    if job is None:
        raise HTTPException(404, f"job {job_id!r} not found")
    return _out(job)
