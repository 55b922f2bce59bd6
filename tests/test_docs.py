"""The README documents every setting and every command; a new one without docs fails here."""

from __future__ import annotations

from pathlib import Path

import typer

from api.cli import app
from graph.config import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_readme_opens_with_the_two_commands() -> None:
    opening = README.split("\n## ", 1)[0]
    assert "make demo" in opening and "make test" in opening


def test_every_setting_is_documented() -> None:
    aliases = [str(field.alias) for field in Settings.model_fields.values()]
    assert len(aliases) >= 15
    assert [alias for alias in aliases if f"`{alias}`" not in README] == []


def _commands(group: typer.Typer, prefix: str = "resonance") -> list[str]:
    names = [f"{prefix} {command.name}" for command in group.registered_commands]
    for sub in group.registered_groups:
        assert sub.typer_instance is not None
        names += _commands(sub.typer_instance, f"{prefix} {sub.name}")
    return names


def test_every_command_is_documented() -> None:
    commands = _commands(app)
    assert "resonance db start" in commands and "resonance load" in commands
    assert [command for command in commands if f"`{command}" not in README] == []


def test_the_layout_section_names_every_folder_of_graph() -> None:
    layout = README.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    root = Path(__file__).resolve().parents[1]
    folders = sorted(
        f"{path.parent.relative_to(root)}/" for path in (root / "graph").glob("*/__init__.py")
    )
    assert len(folders) >= 6
    assert [folder for folder in folders if folder not in layout] == []
