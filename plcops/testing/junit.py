"""Regrouping pytest's JUnit XML: one ``<testsuite>`` per ST function block, as CI tools show suites.

pytest writes every item into one ``<testsuite name="pytest">``. For ST tests the test case's class name
ends in the suite's function block (``tests.TS_FillStation.st.TS_FillStation``); the cases are grouped by
that last part. Other items (Python tests, scenarios) are grouped by their full class name.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path


def regroup(path: Path) -> None:
    """Rewrite a JUnit file in place (does nothing when the file is missing or not pytest's)."""
    try:
        tree = ET.parse(path)
    except (OSError, ET.ParseError):
        return
    root = tree.getroot()
    suites = [root] if root.tag == "testsuite" else list(root.findall("testsuite"))
    if len(suites) != 1:
        return
    original = suites[0]
    groups: dict[str, list[ET.Element]] = {}
    for case in original.findall("testcase"):
        classname = case.get("classname", "")
        group = classname.rsplit(".", 1)[-1] if _is_st(classname) else classname
        groups.setdefault(group or "tests", []).append(case)
    if len(groups) <= 1 and original.get("name") != "pytest":
        return
    new_root = ET.Element("testsuites")
    for name, cases in groups.items():
        suite = ET.SubElement(new_root, "testsuite")
        suite.set("name", name)
        for attribute in ("timestamp", "hostname"):
            if original.get(attribute) is not None:
                suite.set(attribute, original.get(attribute, ""))
        counts = {"tests": len(cases), "failures": 0, "errors": 0, "skipped": 0}
        time = 0.0
        for case in cases:
            counts["failures"] += len(case.findall("failure"))
            counts["errors"] += len(case.findall("error"))
            counts["skipped"] += len(case.findall("skipped"))
            time += float(case.get("time", "0") or 0)
            suite.append(case)
        for key in ("name", "errors", "failures", "skipped", "tests"):
            if key != "name":
                suite.set(key, str(counts[key]))
        suite.set("time", f"{time:.3f}")
    ET.ElementTree(new_root).write(path, encoding="utf-8", xml_declaration=True)


def _is_st(classname: str) -> bool:
    """Whether a class name is a file path of ST plus a suite (``tests.TS_X.TcPOU.TS_X``)."""
    parts = classname.split(".")
    return len(parts) >= 2 and parts[-2].casefold() in ("st", "tcpou", "exp", "iecst")
