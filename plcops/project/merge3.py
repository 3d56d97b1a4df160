"""Three-way merge of text, line by line, with a keyed variant for declarations.

:func:`merge_lines` is the classic diff3 merge: lines both sides kept are anchors; between anchors, a side
that did not change yields to the side that did, and two different changes are a conflict, written with
git's ``<<<<<<<``/``=======``/``>>>>>>>`` markers.

:func:`merge_declarations` understands that a VAR section is a set of declarations: two people who add or
change *different* variables, even on adjacent lines, do not conflict. Each line is keyed by the variable it
declares (structure lines such as ``VAR``/``END_VAR`` by their text and occurrence); the order of keys and
the content of each key are merged separately.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Callable, Hashable, Sequence, TypeVar

T = TypeVar("T", bound=Hashable)

_DECLARATION_LINE = re.compile(r"^\s*([A-Za-z_]\w*)\s*(?:,\s*[A-Za-z_]\w*\s*)*(?:AT\s+%\S+\s*)?:[^=]")


@dataclass(slots=True)
class MergeResult:
    """Merged lines and how many conflicts are marked in them."""

    lines: list[str] = field(default_factory=list)
    conflicts: int = 0

    @property
    def text(self) -> str:
        """The merged text."""
        return "".join(self.lines)


@dataclass(frozen=True, slots=True)
class Chunk:
    """A stretch where at least one side differs from the base."""

    base: Sequence
    ours: Sequence
    theirs: Sequence


def _chunks(base: Sequence[T], ours: Sequence[T], theirs: Sequence[T]) -> list[Chunk | T]:
    """Split three sequences into stable items and unstable chunks (lines kept by both sides anchor)."""
    to_ours = {}
    for block in SequenceMatcher(None, base, ours, autojunk=False).get_matching_blocks():
        for offset in range(block.size):
            to_ours[block.a + offset] = block.b + offset
    to_theirs = {}
    for block in SequenceMatcher(None, base, theirs, autojunk=False).get_matching_blocks():
        for offset in range(block.size):
            to_theirs[block.a + offset] = block.b + offset
    out: list[Chunk | T] = []
    b0 = o0 = t0 = 0
    for index in range(len(base)):
        if index in to_ours and index in to_theirs and to_ours[index] >= o0 and to_theirs[index] >= t0:
            o1, t1 = to_ours[index], to_theirs[index]
            if index > b0 or o1 > o0 or t1 > t0:
                out.append(Chunk(base[b0:index], ours[o0:o1], theirs[t0:t1]))
            out.append(base[index])
            b0, o0, t0 = index + 1, o1 + 1, t1 + 1
    if b0 < len(base) or o0 < len(ours) or t0 < len(theirs):
        out.append(Chunk(base[b0:], ours[o0:], theirs[t0:]))
    return out


def merge_sequences(
    base: Sequence[T],
    ours: Sequence[T],
    theirs: Sequence[T],
    both_inserted: Callable[[Sequence[T], Sequence[T]], list[T] | None] | None = None,
) -> tuple[list[T | Chunk], int]:
    """diff3 on any sequences: items, unresolved chunks (conflicts) in place, and their count.

    ``both_inserted(ours, theirs)`` may resolve a chunk where both sides inserted at the same place.
    """
    out: list[T | Chunk] = []
    conflicts = 0
    for item in _chunks(base, ours, theirs):
        if not isinstance(item, Chunk):
            out.append(item)
            continue
        b, o, t = list(item.base), list(item.ours), list(item.theirs)
        if o == t:
            out.extend(o)
        elif o == b:
            out.extend(t)
        elif t == b:
            out.extend(o)
        else:
            resolved = both_inserted(o, t) if (both_inserted is not None and not b) else None
            if resolved is not None:
                out.extend(resolved)
            else:
                out.append(item)
                conflicts += 1
    return out, conflicts


def _markers(ours: Sequence[str], theirs: Sequence[str], labels: tuple[str, str]) -> list[str]:
    def ended(lines: Sequence[str]) -> list[str]:
        lines = list(lines)
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        return lines

    return [f"<<<<<<< {labels[0]}\n", *ended(ours), "=======\n", *ended(theirs), f">>>>>>> {labels[1]}\n"]


def merge_lines(base: str, ours: str, theirs: str, labels: tuple[str, str] = ("ours", "theirs")) -> MergeResult:
    """diff3 merge of three texts, conflicts marked the way git marks them."""
    items, conflicts = merge_sequences(
        base.splitlines(keepends=True), ours.splitlines(keepends=True), theirs.splitlines(keepends=True)
    )
    result = MergeResult(conflicts=conflicts)
    for item in items:
        if isinstance(item, Chunk):
            result.lines.extend(_markers(item.ours, item.theirs, labels))
        else:
            result.lines.append(item)
    return result


def _keyed(lines: list[str]) -> list[tuple[str, int]] | None:
    """Keys for the lines of a declaration section, or None when a declaration spans several lines."""
    keys: list[tuple[str, int]] = []
    seen: dict[str, int] = {}
    for line in lines:
        match = _DECLARATION_LINE.match(line)
        if match:
            if not line.rstrip().endswith(";") and "//" not in line and "(*" not in line:
                return None  # continues on the next line: too clever to key
            key = "var:" + match.group(1).casefold()
        else:
            key = "line:" + line.strip()
        count = seen.get(key, 0)
        seen[key] = count + 1
        keys.append((key, count))
    return keys


def merge_declarations(base: str, ours: str, theirs: str, labels: tuple[str, str] = ("ours", "theirs")) -> MergeResult:
    """Merge a declaration section by variable (see the module docstring); plain diff3 when it can't."""
    sides = [text.splitlines(keepends=True) for text in (base, ours, theirs)]
    keys = [_keyed(lines) for lines in sides]
    if any(k is None for k in keys):
        return merge_lines(base, ours, theirs, labels)
    base_keys, our_keys, their_keys = keys  # type: ignore[misc]
    content = [dict(zip(k, lines, strict=True)) for k, lines in zip(keys, sides, strict=True)]  # type: ignore[arg-type]

    def union(o: Sequence[tuple[str, int]], t: Sequence[tuple[str, int]]) -> list[tuple[str, int]] | None:
        if set(o) & set(t):
            return None  # the same variable added on both sides: a real conflict unless identical
        return [*o, *t]

    order, conflicts = merge_sequences(base_keys, our_keys, their_keys, union)  # type: ignore[arg-type]
    result = MergeResult(conflicts=conflicts)
    kept = {item for item in order if not isinstance(item, Chunk)}
    for key in base_keys:  # type: ignore[union-attr]
        if key in kept:
            continue
        # Deleted on one side: a conflict if the other side changed it.
        b, o, t = (side.get(key) for side in content)
        if (o is not None and o != b) or (t is not None and t != b):
            result.lines.extend(_markers([o or ""], [t or ""], labels))
            result.conflicts += 1
    for item in order:
        if isinstance(item, Chunk):
            result.lines.extend(
                _markers([content[1][k] for k in item.ours], [content[2][k] for k in item.theirs], labels)
            )
            continue
        b, o, t = (side.get(item) for side in content)
        if o == t or t is None:
            chosen = o if o is not None else t
        elif o is None:
            chosen = t
        elif b == o:
            chosen = t
        elif b == t:
            chosen = o
        else:
            result.lines.extend(_markers([o], [t], labels))
            result.conflicts += 1
            continue
        if chosen is not None:
            result.lines.append(chosen)
    return result
