"""``plcops git setup``: register plcops' textconv and merge drivers in a repository.

It writes a marked block into the repository's ``.gitattributes`` and the driver definitions into the
repository's own config (``.git/config``), so nothing outside the repository changes. Running it again
rewrites the same block and the same settings: it is idempotent.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

BLOCK_START = "# >>> plcops (written by 'plcops git setup'; edits inside this block are overwritten)"
BLOCK_END = "# <<< plcops"
ATTRIBUTES = [
    "*.TcPOU diff=plcops merge=plcops",
    "*.TcDUT diff=plcops merge=plcops",
    "*.TcGVL diff=plcops merge=plcops",
    "*.TcIO diff=plcops merge=plcops",
    "*.xml diff=plcops merge=plcops",
    "*.st merge=plcops",
    "*.ST merge=plcops",
    "*.vendor -text",  # plcops' sidecars keep the vendor files' own line ends
]


@dataclass(slots=True)
class SetupResult:
    """What ``plcops git setup`` changed."""

    attributes_file: Path
    attributes_changed: bool
    config: dict[str, str]


def plcops_command() -> str:
    """How git should start plcops: this Python with ``-m plcops`` (works without plcops on PATH)."""
    return f"{shlex.quote(sys.executable)} -m plcops"


def _with_block(existing: str) -> str:
    block = "\n".join([BLOCK_START, *ATTRIBUTES, BLOCK_END]) + "\n"
    if BLOCK_START in existing and BLOCK_END in existing:
        head, _, rest = existing.partition(BLOCK_START)
        _, _, tail = rest.partition(BLOCK_END)
        return head + block + tail.lstrip("\n")
    separator = "" if not existing or existing.endswith("\n") else "\n"
    return existing + separator + ("\n" if existing.strip() else "") + block


def setup_repository(path: Path) -> SetupResult:
    """Write the attributes and driver config into the git repository containing ``path``.

    Raises:
        git.InvalidGitRepositoryError: when ``path`` is not inside a git repository.
    """
    import git

    repo = git.Repo(path, search_parent_directories=True)
    top = Path(repo.working_tree_dir or path)
    attributes = top / ".gitattributes"
    existing = attributes.read_text(encoding="utf-8") if attributes.exists() else ""
    updated = _with_block(existing)
    if updated != existing:
        attributes.write_text(updated, encoding="utf-8")
    command = plcops_command()
    config = {
        "diff.plcops.textconv": f"{command} textconv",
        "diff.plcops.cachetextconv": "true",
        "merge.plcops.name": "plcops: merges ST, TwinCAT and PLCopen files by POU, method and variable",
        # %X/%Y (git 2.44+) put the branch names on conflict markers; older git passes them as they are,
        # and the driver then labels the sides "ours" and "theirs".
        "merge.plcops.driver": f"{command} merge-driver %O %A %B %P --ours-label %X --theirs-label %Y",
    }
    with repo.config_writer(config_level="repository") as writer:
        for key, value in config.items():
            section, option = key.rsplit(".", 1)
            section_name = f'{section.split(".", 1)[0]} "{section.split(".", 1)[1]}"'
            writer.set_value(section_name, option, value)
    return SetupResult(attributes, updated != existing, config)
