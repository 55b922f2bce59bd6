"""Static checks of docker-compose.yml through `docker-compose config`.

No Docker engine is needed: `config` only parses, interpolates and validates the
file. Works with Debian's docker-compose 1.29 (a Python program whose `config`
prints YAML only) and with Compose v2 (which can print JSON), without PyYAML in
this virtualenv: under v1 the YAML is converted to JSON by the interpreter
docker-compose itself runs on, which always has PyYAML.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, cast

import pytest

from api.auth import check_exposure
from graph.config import Settings
from graph.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKER_COMPOSE = shutil.which("docker-compose")
# At least 8 characters (Neo4j's minimum) and easy to spot if it leaks.
SECRET = "test-only-S3cret-pw"
# At least 16 characters: the API listens on 0.0.0.0 inside its container.
TOKEN = "test-only-api-token-0123"

pytestmark = pytest.mark.skipif(
    DOCKER_COMPOSE is None,
    reason="docker-compose is not on PATH; install it with `apt-get install docker-compose`",
)

_YAML_TO_JSON = "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"


def _compose_path() -> str:
    assert DOCKER_COMPOSE is not None
    return DOCKER_COMPOSE


def _env(**extra: str) -> dict[str, str]:
    """The caller's environment minus anything that could steer the compose file."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("COMPOSE_")
        and key not in {"NEO4J_PASSWORD", "RESONANCE_API_TOKEN", "RESONANCE_ALLOWED_HOSTS"}
    }
    env.update(extra)
    return env


@pytest.fixture
def empty_env_file(tmp_path: Path) -> Path:
    """An empty --env-file, so a developer's .env cannot change the outcome."""
    path = tmp_path / "empty.env"
    path.write_text("", encoding="utf-8")
    return path


def _compose(env_file: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_compose_path(), "--env-file", str(env_file), "-f", str(COMPOSE_FILE), *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@functools.cache
def _compose_major_version() -> int:
    result = subprocess.run(
        [_compose_path(), "version", "--short"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    match = re.match(r"v?(\d+)\.", result.stdout.strip())
    assert match, f"unrecognised docker-compose version: {result.stdout!r}"
    return int(match.group(1))


def _v1_interpreter() -> str:
    """The Python that docker-compose v1 runs on, read from its shebang line."""
    with open(_compose_path(), "rb") as script:
        first_line = script.readline().decode("utf-8", errors="replace").strip()
    assert first_line.startswith("#!"), (
        f"docker-compose v1 at {_compose_path()} is not a Python script: {first_line!r}"
    )
    # `#!/usr/bin/python3` or `#!/usr/bin/env python3`
    return first_line[2:].split()[-1]


def _rendered_config(env_file: Path, env: dict[str, str]) -> dict[str, Any]:
    if _compose_major_version() >= 2:
        result = _compose(env_file, "config", "--format", "json", env=env)
        assert result.returncode == 0, result.stderr
        payload = result.stdout
    else:
        result = _compose(env_file, "config", env=env)
        assert result.returncode == 0, result.stderr
        converted = subprocess.run(
            [_v1_interpreter(), "-c", _YAML_TO_JSON],
            input=result.stdout,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert converted.returncode == 0, converted.stderr
        payload = converted.stdout
    config = json.loads(payload)
    assert isinstance(config, dict)
    return cast(dict[str, Any], config)


@pytest.fixture
def config(empty_env_file: Path) -> dict[str, Any]:
    return _rendered_config(empty_env_file, _env(NEO4J_PASSWORD=SECRET, RESONANCE_API_TOKEN=TOKEN))


def _services(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return cast(dict[str, dict[str, Any]], config["services"])


def _environment(service: dict[str, Any]) -> dict[str, str | None]:
    env = service.get("environment", {})
    if isinstance(env, list):  # KEY=VALUE list form
        pairs = (str(item).partition("=") for item in env)
        return {key: value for key, _, value in pairs}
    return cast(dict[str, str | None], env)


def _host_ip(port: object) -> str | None:
    """The host address a published port binds to; None when it binds all of them."""
    if isinstance(port, dict):
        host_ip = port.get("host_ip")
        return str(host_ip) if host_ip else None
    # Short syntax: [HOST:]PUBLISHED:TARGET[/PROTOCOL], or a bare TARGET.
    parts = str(port).split("/", 1)[0].rsplit(":", 2)
    return parts[0] if len(parts) == 3 else None


def test_config_is_valid_with_password_and_token(empty_env_file: Path) -> None:
    env = _env(NEO4J_PASSWORD=SECRET, RESONANCE_API_TOKEN=TOKEN)
    result = _compose(empty_env_file, "config", "-q", env=env)
    assert result.returncode == 0, result.stderr


def test_config_refuses_to_render_without_password(empty_env_file: Path) -> None:
    result = _compose(empty_env_file, "config", "-q", env=_env(RESONANCE_API_TOKEN=TOKEN))
    assert result.returncode != 0
    assert "NEO4J_PASSWORD" in result.stdout + result.stderr


@pytest.mark.parametrize("token", [None, ""], ids=["unset", "empty"])
def test_config_refuses_to_render_without_api_token(
    empty_env_file: Path, token: str | None
) -> None:
    """Was ``${RESONANCE_API_TOKEN:-}``: unset became an empty token, which counted as one
    (and an empty Bearer matched it) on an API listening on 0.0.0.0."""
    env = _env(NEO4J_PASSWORD=SECRET)
    if token is not None:
        env["RESONANCE_API_TOKEN"] = token
    result = _compose(empty_env_file, "config", "-q", env=env)
    assert result.returncode != 0
    assert "RESONANCE_API_TOKEN" in result.stdout + result.stderr


def test_compose_file_has_no_obsolete_version_key() -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert not re.search(r"^version\s*:", text, flags=re.MULTILINE)


def test_every_published_port_binds_loopback(config: dict[str, Any]) -> None:
    published = 0
    for name, service in _services(config).items():
        for port in service.get("ports", []):
            published += 1
            assert _host_ip(port) == "127.0.0.1", f"{name} publishes {port!r} beyond loopback"
    assert published >= 3  # neo4j 7474 + 7687, api 8000


def test_api_waits_for_healthy_neo4j(config: dict[str, Any]) -> None:
    services = _services(config)
    depends_on = services["api"]["depends_on"]
    assert isinstance(depends_on, dict), depends_on
    assert depends_on["neo4j"]["condition"] == "service_healthy"
    assert "healthcheck" in services["neo4j"]
    assert "healthcheck" in services["api"]


def test_api_environment_points_at_neo4j(config: dict[str, Any]) -> None:
    env = _environment(_services(config)["api"])
    assert env["NEO4J_URI"] == "bolt://neo4j:7687"
    assert env["NEO4J_USERNAME"] == "neo4j"
    assert env["NEO4J_PASSWORD"] == SECRET
    assert env["NEO4J_DATABASE"] == "neo4j"
    assert env["RESONANCE_HOST"] == "0.0.0.0"
    assert env["RESONANCE_API_TOKEN"] == TOKEN
    assert env["RESONANCE_ALLOWED_HOSTS"] in ("", None)


def test_allowed_hosts_pass_through(empty_env_file: Path) -> None:
    env = _env(
        NEO4J_PASSWORD=SECRET, RESONANCE_API_TOKEN=TOKEN, RESONANCE_ALLOWED_HOSTS="explorer.example"
    )
    rendered = _environment(_services(_rendered_config(empty_env_file, env))["api"])
    assert rendered["RESONANCE_ALLOWED_HOSTS"] == "explorer.example"


def test_neo4j_service_keeps_password_out_of_its_settings(config: dict[str, Any]) -> None:
    neo4j = _services(config)["neo4j"]
    env = _environment(neo4j)
    assert env["NEO4J_AUTH"] == f"neo4j/{SECRET}"
    # The image writes every other NEO4J_* variable into neo4j.conf, and Neo4j 5's
    # strict validation rejects an unknown `password` setting.
    assert "NEO4J_PASSWORD" not in env
    assert env.get("NEO4J_db_memory_transaction_max")
    assert env.get("NEO4J_dbms_memory_transaction_total_max")
    # The healthcheck expands the password in the container ($$), not at render time.
    assert SECRET not in json.dumps(neo4j["healthcheck"])


def test_the_rendered_api_settings_pass_the_exposure_check(empty_env_file: Path) -> None:
    """The API in compose listens on 0.0.0.0: its settings must start it, with the token."""

    def settings(token: str) -> Settings:
        env = _env(NEO4J_PASSWORD=SECRET, RESONANCE_API_TOKEN=token)
        rendered = _environment(_services(_rendered_config(empty_env_file, env))["api"])
        values = {key: value for key, value in rendered.items() if value is not None}
        return Settings(_env_file=None, **values)  # type: ignore[arg-type]

    check_exposure(settings(TOKEN))
    with pytest.raises(ConfigError, match="16"):
        check_exposure(settings("short"))
