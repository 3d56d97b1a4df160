from __future__ import annotations

from typing import Iterable

from plcops.lint.analysis import statement_lists, written_targets
from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Rule
from plcops.lint.variables import root_variable, written_root
from plcops.st import ast
from plcops.st.symbols import ProjectIndex, Symbol


def _reference_kind(symbol: Symbol, index: ProjectIndex) -> str:
    """``"pointer"`` or ``"reference"`` for inputs that refer to other data (an interface is a
    reference to an instance), else ``""``."""
    kind = index.resolve(symbol.type)
    if kind is None:
        return ""
    if kind.kind in ("pointer", "reference"):
        return kind.kind
    pou = index.pous.get(kind.name.casefold()) if kind.kind == "named" else None
    return "reference" if pou is not None and pou.kind == "INTERFACE" else ""


def _rebinds(statement: ast.Stmt, target: ast.Expr, root: ast.Node, kind: str) -> bool:
    """Whether a write to a POINTER TO or REFERENCE TO input changes the input itself (``pIn := ADR(x)``,
    ``refIn REF= x``) rather than what it points to (``pIn^ := 0``, ``refIn := 0``)."""
    if target is not root:
        return False
    if kind == "pointer":
        return True
    return isinstance(statement, ast.Assignment) and statement.op == "REF=" and statement.target is target


class PLC006(Rule):
    """A POU writes to its own VAR_INPUT.

    Why: inputs are the caller's; the next call overwrites whatever the block wrote, and readers of the
    interface expect inputs to be read-only. Copy the input to a local variable instead. Reported for
    writes to the input or a part of it (``stIn.nMode := 0``), also through ``THIS^``, ``=>``,
    ``S=``/``R=``, in methods and actions and for inputs inherited from a base block; not for writes
    through a POINTER TO, REFERENCE TO or interface input.

    Anti-pattern:
    ```st
    IF nSpeed > 100 THEN
        nSpeed := 100;    // nSpeed is a VAR_INPUT
    END_IF
    ```

    Best practice:
    ```st
    nLimitedSpeed := MIN(nSpeed, 100);
    ```
    """

    code = "PLC006"
    name = "write-to-input"
    groups = ("correctness",)
    sa = ("SA0037",)
    plcopen = ("CP17",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        for scope in context.scopes():
            for statements in statement_lists(scope.node):
                for statement in statements:
                    for target in written_targets(statement):
                        root = written_root(target)
                        if root is None:
                            continue
                        symbol = root_variable(root, scope)
                        if symbol is None or symbol.section != "VAR_INPUT":
                            continue
                        kind = _reference_kind(symbol, context.index)
                        if kind in ("pointer", "reference") and not _rebinds(statement, target, root, kind):
                            continue  # writes through the pointer or reference, not the input itself
                        yield self.finding(f"writes to input '{symbol.name}'", target, scope.name)
