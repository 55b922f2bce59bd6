"""Serving the app: uvicorn in a process set up for a long-running server."""

from __future__ import annotations

import gc

from fastapi import FastAPI


def run(app: FastAPI, host: str, port: int) -> None:
    """Serve ``app`` until interrupted.

    Everything alive once the app is built (modules, the app, its routes: ~150k objects) is
    moved out of the garbage collector's reach: otherwise each full collection walks all of it
    again, and on a busy server those pauses (100-150 ms measured) land on random requests.
    uvicorn uses uvloop and httptools, both dependencies, for its event loop and HTTP parsing.
    """
    import uvicorn

    gc.collect()
    gc.freeze()
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
