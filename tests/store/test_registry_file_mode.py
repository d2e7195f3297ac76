"""On SQLite the file's permissions are the registry's boundary: `regtui init` creates it owner-only."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from regtui.config import Locations
from regtui.domain.roles import Role
from regtui.services import admin
from regtui.services.registry import RegistryService
from tests.factories import run_cli


def _mode(path: Path) -> int:
    """The permission bits of a file."""
    return stat.S_IMODE(path.stat().st_mode)


def test_init_creates_the_registry_and_its_wal_owner_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The new file and the -wal and -shm files SQLite makes next to it are 0600."""
    monkeypatch.setenv("REGTUI_USER", "admin")
    path = tmp_path / "shared" / "registry.db"
    service = RegistryService(Locations(f"sqlite:///{path}", tmp_path / "cache.db"))
    try:
        service.init()
        admin.set_roles(service, "alice", [Role.VIEWER])
        for name in ("registry.db", "registry.db-wal", "registry.db-shm"):
            assert _mode(path.with_name(name)) == 0o600, name
    finally:
        service.close()


def test_init_with_shared_group_makes_it_group_writable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--shared-group: 0660, for a team that shares the file through a group."""
    monkeypatch.setenv("REGTUI_USER", "admin")
    path = tmp_path / "registry.db"
    result = run_cli(
        capsys, "--registry", f"sqlite:///{path}", "--cache", str(tmp_path / "c.db"), "init", "--shared-group"
    )
    assert result.code == 0, result.err
    assert _mode(path) == 0o660


def test_init_leaves_an_existing_file_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Upgrading a registry never changes the permissions its administrator chose."""
    monkeypatch.setenv("REGTUI_USER", "admin")
    path = tmp_path / "registry.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    service = RegistryService(Locations(f"sqlite:///{path}", tmp_path / "cache.db"))
    try:
        service.init()
    finally:
        service.close()
    assert _mode(path) == 0o644


def test_users_add_on_sqlite_records_roles_and_refuses_create_login(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`users add` is `roles set` on a file registry; --create-login has no meaning there: one line, exit 2."""
    monkeypatch.setenv("REGTUI_USER", "admin")
    registry = ("--registry", f"sqlite:///{tmp_path / 'registry.db'}", "--cache", str(tmp_path / "c.db"))
    assert run_cli(capsys, *registry, "init").code == 0
    assert run_cli(capsys, *registry, "users", "add", "bob", "--role", "reviewer", "--teams", "risk").code == 0
    refused = run_cli(capsys, *registry, "users", "add", "carol", "--role", "viewer", "--create-login")
    assert refused.code == 2 and refused.err.count("\n") == 1 and "PostgreSQL" in refused.err
    listed = run_cli(capsys, *registry, "users", "list")
    assert "bob" in listed.out and "reviewer" in listed.out and "carol" not in listed.out
