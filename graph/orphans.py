"""Child processes that die with their parent: a killed analysis or server leaves no orphan.

Linux's ``PR_SET_PDEATHSIG`` sends the child a signal when the thread that started it ends
(so start children from a thread that outlives them). A forked worker of a
``ProcessPoolExecutor`` otherwise outlives a parent killed with ``kill -9``: it waits on a
pipe that it holds open itself, forever (seen after ``tests/graph/analysis``'s kills).
"""

from __future__ import annotations

import ctypes
import os
import signal

_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True)


def kill_with_parent() -> None:
    """In a child: be killed (SIGKILL) when the thread that started it ends."""
    _LIBC.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)


def die_with_parent(parent: int) -> None:
    """In a child: be killed (SIGKILL) when the parent dies; exit now if ``parent`` (its
    pid, read before the child started) is already gone."""
    kill_with_parent()
    if os.getppid() != parent:
        os._exit(1)
