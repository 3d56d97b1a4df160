"""Real git repositories in temporary folders."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest


class Repo:
    """A git repository driven through the real git command line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=self.path, capture_output=True, text=True, check=check, timeout=60)

    def write(self, name: str, data: bytes | str) -> Path:
        path = self.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            data = data.encode("utf-8")
        path.write_bytes(data)
        return path

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repository = Repo(tmp_path / "repo")
    repository.path.mkdir()
    repository.git("init", "-q", "-b", "main")
    repository.git("config", "user.email", "test@example.com")
    repository.git("config", "user.name", "Test")
    repository.git("config", "commit.gpgsign", "false")
    return repository
