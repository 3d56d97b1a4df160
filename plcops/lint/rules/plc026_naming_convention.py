from __future__ import annotations

from typing import Any, ClassVar, Iterable

from plcops.lint.context import FileContext, PouScope
from plcops.lint.rule import Finding, Level, Rule
from plcops.st import ast
from plcops.st.stdlib import STANDARD_FBS
from plcops.st.types import TypeRef, type_ref

# Beckhoff's TwinCAT 3 programming conventions ("Identifiers for variables and instances").
TWINCAT = {
    "BOOL": "b", "BYTE": "n", "WORD": "n", "DWORD": "n", "LWORD": "n",
    "SINT": "n", "INT": "n", "DINT": "n", "LINT": "n", "USINT": "n", "UINT": "n", "UDINT": "n", "ULINT": "n",
    "REAL": "f", "LREAL": "f", "STRING": "s", "WSTRING": "ws", "TIME": "t", "LTIME": "t",
    "DATE": "d", "DT": "dt", "DATE_AND_TIME": "dt", "TOD": "td", "TIME_OF_DAY": "td",
    "array": "a", "pointer": "p", "reference": "ref", "enum": "e", "struct": "st", "fb": "fb", "interface": "ip",
}  # fmt: skip
# The Hungarian prefixes of the CODESYS / PLCopen coding guidelines (N2, N3).
PLCOPEN = {
    "BOOL": "x", "BYTE": "by", "WORD": "w", "DWORD": "dw", "LWORD": "lw",
    "SINT": "si", "INT": "i", "DINT": "di", "LINT": "li", "USINT": "usi", "UINT": "ui", "UDINT": "udi", "ULINT": "uli",
    "REAL": "r", "LREAL": "lr", "STRING": "s", "WSTRING": "ws", "TIME": "tim", "LTIME": "ltim",
    "DATE": "dat", "LDATE": "ldat", "DT": "dt", "DATE_AND_TIME": "dt", "LDT": "ldt", "LDATE_AND_TIME": "ldt",
    "TOD": "tod", "TIME_OF_DAY": "tod", "LTOD": "ltod", "LTIME_OF_DAY": "ltod",
    "array": "a", "pointer": "p", "reference": "r", "enum": "e", "struct": "st", "fb": "fb", "interface": "itf",
}  # fmt: skip
# Names of POUs and user types (both conventions use these; TwinCAT's programs and methods have none).
POU_PREFIXES = {
    "FUNCTION_BLOCK": "FB_", "FUNCTION": "F_", "INTERFACE": "I_",
    "STRUCT": "ST_", "ENUM": "E_", "UNION": "U_", "ALIAS": "T_",
}  # fmt: skip
PRESETS = {"twincat": TWINCAT, "plcopen": PLCOPEN}
# Parameters whose names the runtime fixes (FB_init, FB_reinit, FB_exit): not the programmer's choice.
_SYSTEM_PARAMETERS = {"fb_init": {"binitretains", "bincopycode"}, "fb_exit": {"bincopycode"}}
_TYPE_KINDS = {ast.StructType: "STRUCT", ast.UnionType: "UNION", ast.EnumType: "ENUM"}


class PLC026(Rule):
    """A name does not follow the project's naming convention.

    Why: a prefix that says what a variable is (``bDone`` a BOOL, ``fbTimer`` an FB instance) lets a
    reviewer spot type errors in the code without looking up declarations. Off by default; enable it with
    a preset (``twincat``: Beckhoff's TwinCAT 3 conventions; ``plcopen``: the Hungarian prefixes of the
    PLCopen and CODESYS guidelines) and adjust ``prefixes`` (type or category -> prefix; categories are
    ``array``, ``pointer``, ``reference``, ``enum``, ``struct``, ``fb`` and ``interface``) and
    ``pou_prefixes`` (``FUNCTION_BLOCK``, ``FUNCTION``, ``INTERFACE``, ``STRUCT``, ``ENUM``, ``UNION``,
    ``ALIAS`` -> prefix; an empty prefix turns a check off) and ``section_prefixes`` (what a variable's
    name starts with before its type prefix, by kind of variable: ``VAR_INPUT``, ``VAR_OUTPUT``,
    ``VAR_IN_OUT``, ``VAR``, ``VAR_TEMP``, ``VAR_STAT``, ``VAR_INST``, ``VAR_GLOBAL``, ``VAR_EXTERNAL``,
    ``CONSTANT`` -> prefix, e.g. ``{ VAR_INPUT = "i_", VAR_GLOBAL = "g_", CONSTANT = "c_" }`` for ``i_bStart``;
    ``CONSTANT`` wins over the section).

    Checked: variables of POUs, methods, properties and global variable lists, structure members,
    property names (the prefix of their type), and the names of function blocks, functions, interfaces and
    user types (``check_pous``). Accepted variations: prefixes of nested types follow each other
    (``pabyData : POINTER TO ARRAY OF BYTE``, ``ppData``, ``aiValues``); a leading ``_`` marks the variable
    behind a property (``_nCount``); a ``REFERENCE TO`` method input may use its base type's prefix; with
    ``plcopen`` constants may start with ``c_`` and globals with ``g_`` (``gc_`` for both); constants
    written in capitals (``MAX_ITEMS``) and the fixed parameters of ``FB_init``/``FB_exit`` are not
    checked.

    Anti-pattern:
    ```st
    VAR
        running : BOOL;
        timer : TON;
    END_VAR
    ```

    Best practice:
    ```st
    VAR
        bRunning : BOOL;
        fbTimer : TON;
    END_VAR
    ```
    """

    code = "PLC026"
    name = "naming-convention"
    groups = ("naming",)
    level = Level.info
    enabled = False
    plcopen = ("N2", "N3", "N4", "N8", "N10")
    options: ClassVar[dict[str, Any]] = {
        "preset": "twincat",
        "prefixes": {},
        "pou_prefixes": {},
        "section_prefixes": {},
        "check_pous": True,
    }
    choices: ClassVar[dict[str, tuple[str, ...]]] = {"preset": ("twincat", "plcopen")}

    def check(self, context: FileContext) -> Iterable[Finding]:
        preset = str(self.settings["preset"])
        prefixes = {**PRESETS.get(preset, TWINCAT), **self.settings["prefixes"]}
        pou_prefixes = {**POU_PREFIXES, **self.settings["pou_prefixes"]}
        check_pous = bool(self.settings["check_pous"])
        naming = _Naming(context, prefixes, preset == "plcopen")
        sections = {str(k).upper(): str(v) for k, v in self.settings["section_prefixes"].items()}
        for scope in context.scopes():
            if check_pous:
                yield from self._pou(scope, pou_prefixes, naming)
            in_method = scope.kind == "METHOD"
            system = _SYSTEM_PARAMETERS.get(scope.node.name.text.casefold(), set()) if in_method else set()
            for block, decl, name in scope.node.variables():
                if name.text.casefold() in system:
                    continue
                is_input = in_method and block.kind == "VAR_INPUT"
                yield from self._variable(
                    name,
                    decl,
                    naming,
                    constant=block.constant,
                    method_input=is_input,
                    pou=scope.name,
                    lead=_lead(sections, block.kind, block.constant),
                )
        for item in context.unit.items:
            if isinstance(item, ast.VarBlock) and item.kind == "VAR_GLOBAL":  # a global variable list
                for decl in item.decls:
                    for name in decl.names:
                        yield from self._variable(
                            name,
                            decl,
                            naming,
                            constant=item.constant,
                            global_=True,
                            lead=_lead(sections, "VAR_GLOBAL", item.constant),
                        )
            elif isinstance(item, ast.TypeBlock):
                yield from self._types(item, pou_prefixes if check_pous else {}, naming)
            elif isinstance(item, ast.Interface) and check_pous:
                yield from self._named(item.name, "INTERFACE", pou_prefixes)
                for member in item.members:
                    if isinstance(member, ast.Property):
                        yield from self._property(member, naming, f"{item.name.text}.{member.name.text}")

    def _variable(
        self,
        name: ast.Identifier,
        decl: ast.VarDecl,
        naming: _Naming,
        *,
        constant: bool = False,
        global_: bool = False,
        method_input: bool = False,
        pou: str = "",
        lead: tuple[str, str] | None = None,
    ) -> Iterable[Finding]:
        if constant and _upper_case(name.text):
            return  # MAX_ITEMS: constants in capitals are a convention of their own (Beckhoff's samples, OSCAT)
        kind = type_ref(decl.type, naming.context.text)
        if lead is not None:  # section_prefixes: the lead, then the type's prefix
            text, section = lead
            if not name.text.startswith(text):
                yield self.finding(f"'{name.text}' should start with '{text}' ({section})", name, pou)
                return
            prefix, category = naming.expected(kind)
            if prefix and not naming.typed(name.text[len(text) :], kind, method_input):
                yield self.finding(f"'{name.text}' should start with '{text}{prefix}' ({category})", name, pou)
            return
        prefix, category = naming.expected(kind)
        accepted = naming.accepts(name.text, kind, constant=constant, global_=global_, method_input=method_input)
        if prefix and not accepted:
            yield self.finding(f"'{name.text}' should start with '{prefix}' ({category})", name, pou)

    def _pou(self, scope: PouScope, pou_prefixes: dict[str, str], naming: _Naming) -> Iterable[Finding]:
        if isinstance(scope.node, ast.Property):
            yield from self._property(scope.node, naming, scope.name)
        elif scope.owner is None:
            yield from self._named(scope.node.name, scope.kind, pou_prefixes, scope.name)

    def _property(self, node: ast.Property, naming: _Naming, pou: str) -> Iterable[Finding]:
        """TwinCAT and the CODESYS-based guidelines give a property the prefix of its type."""
        kind = type_ref(node.type, naming.context.text)
        prefix, category = naming.expected(kind)
        if prefix and not naming.accepts(node.name.text, kind):
            yield self.finding(f"property '{node.name.text}' should start with '{prefix}' ({category})", node.name, pou)

    def _named(self, name: ast.Identifier, kind: str, pou_prefixes: dict[str, str], pou: str = "") -> Iterable[Finding]:
        prefix = pou_prefixes.get(kind, "")
        if prefix and not name.text.startswith(prefix):
            label = "interface" if kind == "INTERFACE" else kind
            yield self.finding(f"{label} '{name.text}' should start with '{prefix}'", name, pou)

    def _types(self, block: ast.TypeBlock, pou_prefixes: dict[str, str], naming: _Naming) -> Iterable[Finding]:
        for decl in block.decls:
            yield from self._named(decl.name, _TYPE_KINDS.get(type(decl.type), "ALIAS"), pou_prefixes)
            if isinstance(decl.type, (ast.StructType, ast.UnionType)):
                for member in decl.type.members:
                    for name in member.names:
                        yield from self._variable(name, member, naming, pou=decl.name.text)


def _lead(sections: dict[str, str], section: str, constant: bool) -> tuple[str, str] | None:
    """The ``section_prefixes`` lead of a variable and what it is for (CONSTANT wins), or None."""
    if constant and sections.get("CONSTANT"):
        return sections["CONSTANT"], "CONSTANT"
    return (sections[section], section) if sections.get(section) else None


def _upper_case(name: str) -> bool:
    return name.upper() == name and any(char.isalpha() for char in name)


class _Naming:
    """The prefix a type calls for, and whether a name carries it."""

    def __init__(self, context: FileContext, prefixes: dict[str, str], plcopen: bool) -> None:
        self.context = context
        self.prefixes = prefixes
        self.plcopen = plcopen

    def category(self, kind: TypeRef | None) -> str | None:
        """The key of ``prefixes`` for a type: an elementary type name or a category."""
        index = self.context.index
        resolved = index.resolve(kind)
        if resolved is None:
            return None
        if resolved.kind in ("array", "pointer", "reference", "enum"):
            return resolved.kind
        if resolved.elementary:
            return resolved.elementary
        # Library FBs may be namespace-qualified (Tc2_Standard.TON).
        if resolved.name.rsplit(".", 1)[-1].upper() in STANDARD_FBS:
            return "fb"
        user = index.user_type(resolved)
        if user is not None:
            return {"struct": "struct", "union": "struct", "enum": "enum"}.get(user.kind)
        pou = index.pous.get(resolved.name.casefold())
        if pou is not None:
            return {"FUNCTION_BLOCK": "fb", "INTERFACE": "interface"}.get(pou.kind)
        return None

    def expected(self, kind: TypeRef | None) -> tuple[str, str]:
        """The prefix and the category it was chosen by ('' when the type has none)."""
        category = self.category(kind)
        return self.prefixes.get(category or "", ""), category or ""

    def accepts(
        self,
        name: str,
        kind: TypeRef | None,
        *,
        constant: bool = False,
        global_: bool = False,
        method_input: bool = False,
    ) -> bool:
        """Whether ``name`` starts with the prefix of ``kind`` (after an optional scope prefix)."""
        for lead in self._leads(constant, global_):
            if name.startswith(lead) and self.typed(name[len(lead) :], kind, method_input):
                return True
        return False

    def _leads(self, constant: bool, global_: bool) -> list[str]:
        leads = ["", "_"]  # TwinCAT: '_nCount' is the variable behind the property nCount
        scope = ("g" if global_ else "") + ("c" if constant else "")
        if self.plcopen and scope:
            # CODESYS: c_uiSyncID (constant), g_xReady / G_xReady (global), gc_ for a global constant.
            leads += [f"{scope}_", f"{scope[0].upper()}{scope[1:]}_"]
        return leads

    def typed(self, rest: str, kind: TypeRef | None, method_input: bool = False) -> bool:
        prefix, category = self.expected(kind)
        if not prefix:
            return True
        resolved = self.context.index.resolve(kind)
        target = resolved.target if resolved is not None and category in ("array", "pointer", "reference") else None
        if category == "reference" and method_input and self.typed(rest, target):
            return True  # TwinCAT: a REFERENCE TO input of a method is named after the base type
        if not rest.startswith(prefix) or len(rest) == len(prefix):
            return False
        following = rest[len(prefix) :]
        if following[0].isupper() or following[0].isdigit() or following[0] == "_":
            return True
        # Nested types chain their prefixes: pabyData (POINTER TO ARRAY OF BYTE), ppData, aiValues.
        return target is not None and self.expected(target)[0] != "" and self.typed(following, target)
