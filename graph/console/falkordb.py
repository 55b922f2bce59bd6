"""The console on FalkorDB: ``GRAPH.RO_QUERY`` on the memory-capped replica of
:mod:`graph.console.replica`, never on the main server."""

from __future__ import annotations

import threading
import time
from typing import Any

import redis
from falkordb import FalkorDB
from redis.backoff import NoBackoff
from redis.retry import Retry

from graph.backends.base import Params
from graph.backends.falkordb_params import params_header
from graph.console.checks import ConsoleRefused, check_query, time_limit, why_write
from graph.console.replica import MAX_REPLY_BYTES, RESTARTING, ConsoleReplica, ConsoleUnavailable
from graph.console.shared import SharedReplica
from graph.console.values import ConsoleResult, Elements, falkordb_element
from graph.server import HOST

#: How long a query waits for a replica that is (re)starting before it is told 503.
READY_WAIT_S = 5.0


class FalkorDBConsole:
    """Console queries on the read-only replica of the embedded FalkorDB."""

    def __init__(
        self,
        replica: ConsoleReplica | SharedReplica,
        graph_name: str,
        *,
        ready_wait_s: float = READY_WAIT_S,
    ) -> None:
        self.replica = replica
        self.graph_name = graph_name
        self.ready_wait_s = ready_wait_s
        self.timeout_ms = replica.timeout_ms
        self.max_rows = replica.max_rows
        self._lock = threading.Lock()
        self._client: tuple[int, FalkorDB, Any] | None = None  # generation, client, graph

    def _graph(self, generation: int, port: int, password: str) -> Any:
        with self._lock:
            if self._client is None or self._client[0] != generation:
                if self._client is not None:
                    self._client[1].connection.close()
                client = FalkorDB(
                    host=HOST, port=port, password=password, socket_connect_timeout=2.0,
                    socket_timeout=self.timeout_ms / 1000 + 2.0, retry=Retry(NoBackoff(), 0),
                )  # fmt: skip
                self._client = (generation, client, client.select_graph(self.graph_name))
            return self._client[2]

    def run(self, query: str, params: Params | None = None) -> ConsoleResult:
        check_query(query, params)
        text = params_header(params) + query
        generation, port, password = self.replica.current(self.ready_wait_s)
        started = time.perf_counter()
        try:
            result = self._graph(generation, port, password).ro_query(text, None, self.timeout_ms)
        except redis.exceptions.BusyLoadingError as exc:
            raise ConsoleUnavailable(RESTARTING) from exc
        except redis.exceptions.TimeoutError as exc:  # the server did not stop it: we do
            self.replica.kill(generation, "time", "it ran past the time limit")
            raise time_limit(self.timeout_ms) from exc
        except redis.exceptions.ConnectionError as exc:
            raise self._lost(generation) from exc
        except redis.exceptions.ResponseError as exc:
            raise self._refused(str(exc), query) from exc
        columns = [str(column[1]) for column in result.header]
        return Elements(falkordb_element).result(columns, result.result_set, self.max_rows, started)

    def _lost(self, generation: int) -> Exception:
        death = self.replica.death(generation, wait_s=2.0)
        if death is None:
            mb = MAX_REPLY_BYTES >> 20
            return ConsoleRefused(f"the result is over {mb} MB: return fewer or smaller values")
        if death.reason == "memory":
            return ConsoleRefused(f"the query was stopped: {death.detail}; {RESTARTING}")
        if death.reason == "time":
            return time_limit(self.timeout_ms)
        return ConsoleUnavailable(RESTARTING)

    def _refused(self, message: str, query: str) -> Exception:
        if "MASTERDOWN" in message or "LOADING" in message:
            return ConsoleUnavailable(RESTARTING)
        if "errMsg" in message:
            return ConsoleRefused(f"the query is not valid Cypher: {message}")
        if "read-only queries" in message:
            return ConsoleRefused(f"the console is read-only: {why_write(query)}")
        if "timed out" in message:
            return time_limit(self.timeout_ms)
        if "more than one statement" in message:
            return ConsoleRefused("the console runs one statement at a time: remove the ';'")
        if "mem consumption exceeded" in message:
            mb = self.replica.mem_bytes >> 20
            return ConsoleRefused(f"the query was stopped: it needed more than {mb} MB")
        if "empty key" in message:
            return ConsoleRefused(f"there is no graph {self.graph_name!r} yet: load data first")
        return ConsoleRefused(f"the query was refused: {message}")

    def wait_ready(self, timeout_s: float) -> None:
        self.replica.wait_ready(timeout_s)

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client[1].connection.close()
                self._client = None
        self.replica.close()
