from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext
from plcops.lint.rule import Edit, Finding, Fix, Level, Rule
from plcops.st import ast

# The keyword that closes each compound statement (the node's span ends with it when no ';' follows).
_END_KEYWORDS: dict[type[ast.Compound], str] = {
    ast.IfStatement: "END_IF",
    ast.CaseStatement: "END_CASE",
    ast.ForStatement: "END_FOR",
    ast.WhileStatement: "END_WHILE",
    ast.RepeatStatement: "END_REPEAT",
    ast.TryStatement: "__ENDTRY",
}


class PLC041(Rule):
    """``END_IF``, ``END_CASE`` or another END of a statement is not followed by ``;``.

    Why: IEC 61131-3 ends every statement with a semicolon, END_IF included; CODESYS and TwinCAT accept
    the omission, other compilers (and plcops' own export to other vendors) may not. The formatter never
    adds tokens, so this is the rule that does, with a safe fix. Off by default: TwinCAT projects
    habitually omit it.

    Anti-pattern:
    ```st
    IF bStart THEN
        nState := 10;
    END_IF
    ```

    Best practice:
    ```st
    IF bStart THEN
        nState := 10;
    END_IF;
    ```
    """

    code = "PLC041"
    name = "missing-end-semicolon"
    groups = ("style",)
    level = Level.info
    enabled = False
    fix = "safe"

    def check(self, context: FileContext) -> Iterable[Finding]:
        for node, parents in context.nodes(ast.Compound):
            if node.semicolon:
                continue
            scope = context.scope_of(parents)
            end = node.span.end
            keyword = _END_KEYWORDS.get(type(node), "")
            start = end - len(keyword)
            if not keyword or context.text[start:end].upper() != keyword:
                keyword, start = "statement end", max(end - 1, node.span.start)  # unexpected layout: point at the end
            fix = Fix("add ';'", (Edit(end, end, ";"),), safe=True)
            yield self.finding(f"{keyword} without ';'", (start, end), scope.name if scope else "", fix)
