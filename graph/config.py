"""Settings, read from the environment (and a ``.env`` file) by pydantic-settings.

Every setting is documented in the README; ``tests/test_docs.py`` fails when one is not.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/resonance``, or ``~/.local/share/resonance``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "resonance"


class Settings(BaseSettings):
    """Everything Resonance can be told; built once by each composition root."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # Neo4j: NEO4J_URI set means Neo4j, unset means the embedded FalkorDB.
    neo4j_uri: str | None = Field(default=None, alias="NEO4J_URI")
    neo4j_username: str = Field(default="neo4j", alias="NEO4J_USERNAME")
    neo4j_password: SecretStr = Field(default=SecretStr(""), alias="NEO4J_PASSWORD")
    neo4j_database: str = Field(default="neo4j", alias="NEO4J_DATABASE")

    # Embedded FalkorDB.
    data_dir: Path = Field(default_factory=default_data_dir, alias="RESONANCE_DATA_DIR")
    db_port: int = Field(default=0, ge=0, le=65535, alias="RESONANCE_DB_PORT")
    # Whether the app's first connection starts the embedded server when it is not running;
    # `resonance serve --workers N` turns it off for its workers (it starts the server itself).
    db_autostart: bool = Field(default=True, alias="RESONANCE_DB_AUTOSTART")
    graph_name: str = Field(
        default="resonance", alias="RESONANCE_GRAPH", pattern=r"^[A-Za-z0-9_-]+$"
    )
    db_timeout_max_ms: int = Field(default=600_000, gt=0, alias="RESONANCE_DB_TIMEOUT_MAX_MS")
    db_resultset_size: int = Field(default=2_000_000, gt=0, alias="RESONANCE_DB_RESULTSET_SIZE")
    db_query_mem_bytes: int = Field(default=4 << 30, gt=0, alias="RESONANCE_DB_QUERY_MEM_BYTES")
    db_start_timeout_s: float = Field(default=30.0, gt=0, alias="RESONANCE_DB_START_TIMEOUT_S")

    # Queries and loading.
    query_timeout_ms: int = Field(default=120_000, gt=0, alias="RESONANCE_QUERY_TIMEOUT_MS")
    batch_size: int = Field(default=5_000, gt=0, le=50_000, alias="RESONANCE_BATCH_SIZE")
    #: Complete analysis runs kept in the history (``graph/runs``); older ones are deleted
    #: after each analysis, the latest never.
    keep_runs: int = Field(default=12, ge=1, alias="RESONANCE_KEEP_RUNS")
    max_upload_bytes: int = Field(default=2 << 30, gt=0, alias="RESONANCE_MAX_UPLOAD_BYTES")
    #: Bytes an upload may hold once decompressed (all its files together): a small .gz can
    #: unpack to terabytes. 16 GiB: eight times the default upload limit, room for CSV and
    #: JSON exports that gzip 5-10 times.
    max_unpacked_bytes: int = Field(default=16 << 30, gt=0, alias="RESONANCE_MAX_UNPACKED_BYTES")

    # The read-only Cypher console (on FalkorDB: a memory-capped replica of the embedded server).
    console_timeout_ms: int = Field(default=10_000, gt=0, alias="RESONANCE_CONSOLE_TIMEOUT_MS")
    console_max_rows: int = Field(default=1_000, gt=0, alias="RESONANCE_CONSOLE_MAX_ROWS")
    console_mem_bytes: int = Field(default=1 << 30, gt=0, alias="RESONANCE_CONSOLE_MEM_BYTES")
    # Console queries run on their own threads (api/console_gate.py), never the API's.
    console_workers: int = Field(default=2, ge=1, le=16, alias="RESONANCE_CONSOLE_WORKERS")
    console_per_client: int = Field(default=2, ge=1, le=64, alias="RESONANCE_CONSOLE_PER_CLIENT")
    # Set by ``resonance serve --workers N`` for its workers: the folder of the one console
    # replica they share, which the serving process owns (graph/console/shared.py).
    console_replica: Path | None = Field(default=None, alias="RESONANCE_CONSOLE_REPLICA")

    # The analysis engine: "local" (this process, numpy and igraph) or "spark" (graph/spark).
    engine: str = Field(default="local", alias="RESONANCE_ENGINE", pattern=r"^(local|spark)$")
    #: Where the Spark engine runs: ``local[*]`` (this machine's cores), ``spark://host:7077``,
    #: ``yarn``, ``k8s://...``.
    spark_master: str = Field(default="local[*]", alias="RESONANCE_SPARK_MASTER", min_length=1)
    #: The Spark driver's memory (a JVM size: ``2g``, ``512m``); in local mode, the executors'.
    spark_driver_memory: str = Field(
        default="2g", alias="RESONANCE_SPARK_DRIVER_MEMORY", pattern=r"^[0-9]+[kmgtKMGT]?$"
    )
    #: Shuffle partitions of the Spark engine (0: twice the cores Spark is given).
    spark_partitions: int = Field(default=0, ge=0, le=100_000, alias="RESONANCE_SPARK_PARTITIONS")
    #: More Spark settings, comma-separated ``key=value`` (a cluster's ``spark.executor.memory``,
    #: ``spark.archives``, ``spark.checkpoint.dir`` ...).
    spark_conf: str = Field(default="", alias="RESONANCE_SPARK_CONF")
    #: Up to this many accounts, the Spark engine's communities are Leiden's on the whole graph
    #: (collected on the driver); above, on the graph coarsened by heavy-edge matching.
    spark_leiden_max_nodes: int = Field(
        default=2_000_000, ge=1, alias="RESONANCE_SPARK_LEIDEN_MAX_NODES"
    )

    # The web server.
    host: str = Field(default="127.0.0.1", alias="RESONANCE_HOST")
    port: int = Field(default=8000, ge=1, le=65535, alias="RESONANCE_PORT")
    api_token: SecretStr | None = Field(default=None, alias="RESONANCE_API_TOKEN")
    #: Host names (comma-separated) the server answers to besides the bound address,
    #: localhost, 127.0.0.1 and [::1]: any other ``Host`` header is refused (DNS rebinding).
    allowed_hosts: str = Field(default="", alias="RESONANCE_ALLOWED_HOSTS")
    #: Reverse proxies (comma-separated addresses or networks) whose ``X-Forwarded-Host``,
    #: ``-Proto`` and ``-For`` are honoured (``api.forwarded``); empty: none.
    trusted_proxies: str = Field(default="", alias="RESONANCE_TRUSTED_PROXIES")
    #: Memory for whole responses of the heavy reads, per process (``api.response_cache``).
    response_cache_mb: int = Field(default=64, ge=0, le=65536, alias="RESONANCE_RESPONSE_CACHE_MB")

    @field_validator("api_token", mode="before")
    @classmethod
    def _blank_token_is_none(cls, value: object) -> object:
        """An empty (or blank) token is no token: ``RESONANCE_API_TOKEN=`` must not mean that
        an empty Bearer is the password. Surrounding blanks are never part of it."""
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, str):
            return value.strip() or None
        return value

    @property
    def allowed_host_names(self) -> tuple[str, ...]:
        """``RESONANCE_ALLOWED_HOSTS`` split at commas, blanks dropped."""
        return tuple(name.strip() for name in self.allowed_hosts.split(",") if name.strip())

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_networks(cls, value: str) -> str:
        for item in (part.strip() for part in value.split(",")):
            if item:
                try:
                    ipaddress.ip_network(item, strict=False)
                except ValueError:
                    raise ValueError(
                        f"RESONANCE_TRUSTED_PROXIES: {item!r} is not an IP address or network "
                        "(write them comma-separated, such as 127.0.0.1,10.0.0.0/8)"
                    ) from None
        return value

    @property
    def trusted_proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """``RESONANCE_TRUSTED_PROXIES`` as networks (an address is a network of one)."""
        parts = (part.strip() for part in self.trusted_proxies.split(","))
        return tuple(ipaddress.ip_network(part, strict=False) for part in parts if part)

    @property
    def uses_neo4j(self) -> bool:
        """True when a Neo4j server is configured instead of the embedded one."""
        return bool(self.neo4j_uri)
