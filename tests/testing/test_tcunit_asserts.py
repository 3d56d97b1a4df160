"""TcUnit compatibility and the assertions plcops adds: every assert's verdict worked out by hand.

Sources for the expected verdicts: TcUnit's API documentation (www.tcunit.org, "API"): AssertEquals_REAL /
_LREAL fail when ``ABS(Expected - Actual) > Delta`` (so a difference of exactly Delta passes),
AssertArrayEquals_* fail on a size difference or on the first differing element; plus the plcops additions
(docstring of plcops/testing/tcunit.py): AssertNotEquals, AssertGreater/GreaterOrEqual/Less/LessOrEqual with
``Actual`` and ``Limit``, NaN-safe real comparisons (a NaN never equals a number, whatever the Delta, and no
ordering holds with a NaN; NaN only equals NaN), structures compared member by member, no limit on message
length or on the number of asserts.
"""

from __future__ import annotations

import re

import pytest

from tests.testing.conftest import line_of, run

TYPES = """
    TYPE ST_Point :
    STRUCT
        x : INT;
        y : INT;
        sName : STRING(20);
    END_STRUCT
    END_TYPE

    TYPE ST_Shape :
    STRUCT
        stOrigin : ST_Point;
        aSides : ARRAY[1..3] OF INT;
        rScale : REAL;
    END_STRUCT
    END_TYPE

    TYPE E_Mode : (Stop := 0, Run := 1, Fault := 2); END_TYPE
"""

# (test name, the assert, passes?) -- one test per assert, so the pytest outcome of each item is the verdict.
CASES: list[tuple[str, str, bool]] = [
    # AssertNotEquals and the ordering asserts on integers (nFour = 4, nFive = 5, nSix = 6).
    ("NotEqualsDiffers", "AssertNotEquals(Expected := 5, Actual := nSix, Message := '')", True),
    ("NotEqualsSame", "AssertNotEquals(Expected := 5, Actual := nFive, Message := '')", False),
    ("GreaterAbove", "AssertGreater(Actual := nSix, Limit := 5, Message := '')", True),
    ("GreaterEqual", "AssertGreater(Actual := nFive, Limit := 5, Message := '')", False),
    ("GreaterOrEqualEqual", "AssertGreaterOrEqual(Actual := nFive, Limit := 5, Message := '')", True),
    ("GreaterOrEqualBelow", "AssertGreaterOrEqual(Actual := nFour, Limit := 5, Message := '')", False),
    ("LessBelow", "AssertLess(Actual := nFour, Limit := 5, Message := '')", True),
    ("LessEqual", "AssertLess(Actual := nFive, Limit := 5, Message := '')", False),
    ("LessOrEqualEqual", "AssertLessOrEqual(Actual := nFive, Limit := 5, Message := '')", True),
    ("LessOrEqualAbove", "AssertLessOrEqual(Actual := nSix, Limit := 5, Message := '')", False),
    ("LessNegative", "AssertLess(Actual := dnMinusOne, Limit := 0, Message := '-1 < 0')", True),
    ("GreaterReal", "AssertGreater(Actual := rHalf, Limit := 0.25, Message := '')", True),
    ("LessTime", "AssertLess(Actual := T#1s, Limit := T#2s, Message := '')", True),
    ("GreaterTime", "AssertGreater(Actual := T#1s, Limit := T#2s, Message := '')", False),
    # REAL / LREAL with Delta: fails when |Expected - Actual| > Delta.
    ("RealOnDelta", "AssertEquals_REAL(Expected := 1.0, Actual := 1.25, Delta := 0.25, Message := '')", True),
    ("RealBeyondDelta", "AssertEquals_REAL(Expected := 1.0, Actual := 1.5, Delta := 0.25, Message := '')", False),
    ("RealExact", "AssertEquals_REAL(Expected := 0.5, Actual := rHalf, Delta := 0.0, Message := '')", True),
    # 0.1 + 0.2 is 0.30000000000000004 in binary64: equal to 0.3 only within a Delta.
    (
        "LRealWithinDelta",
        "AssertEquals_LREAL(Expected := 0.3, Actual := lrTenth + lrFifth, Delta := 1.0E-9, Message := '')",
        True,
    ),
    (
        "LRealWithoutDelta",
        "AssertEquals_LREAL(Expected := 0.3, Actual := lrTenth + lrFifth, Delta := 0.0, Message := '')",
        False,
    ),
    # NaN-safe: a naive ABS(Expected - Actual) > Delta is FALSE for a NaN, so TcUnit would pass these.
    ("NaNEqualsNaN", "AssertEquals_REAL(Expected := rNaN, Actual := rNaN, Delta := 0.0, Message := '')", True),
    ("NaNActualHugeDelta", "AssertEquals_REAL(Expected := 1.0, Actual := rNaN, Delta := 1000.0, Message := '')", False),
    (
        "NaNExpectedHugeDelta",
        "AssertEquals_REAL(Expected := rNaN, Actual := 1.0, Delta := 1000.0, Message := '')",
        False,
    ),
    ("NaNLReal", "AssertEquals_LREAL(Expected := 0.0, Actual := lrNaN, Delta := 1.0, Message := '')", False),
    ("NaNGeneric", "AssertEquals(Expected := 1.0, Actual := rNaN, Message := '')", False),
    ("NaNNotEqualsNumber", "AssertNotEquals(Expected := 1.0, Actual := rNaN, Message := '')", True),
    ("NaNNotEqualsNaN", "AssertNotEquals(Expected := rNaN, Actual := rNaN, Message := '')", False),
    ("NaNGreater", "AssertGreater(Actual := rNaN, Limit := 0.0, Message := '')", False),
    ("NaNLessOrEqual", "AssertLessOrEqual(Actual := rNaN, Limit := 0.0, Message := '')", False),
    (
        "NaNInArray",
        "AssertArrayEquals_REAL(Expecteds := aReal1, Actuals := aRealNaN, Delta := 10.0, Message := '')",
        False,
    ),
    # Structures, member by member (nested structures and arrays too).
    ("StructEqual", "AssertEquals(Expected := stA, Actual := stB, Message := '')", True),
    ("StructDiffers", "AssertEquals(Expected := stA, Actual := stC, Message := 'struct')", False),
    ("StructNestedEqual", "AssertEquals(Expected := shA, Actual := shB, Message := '')", True),
    ("StructNestedDiffers", "AssertEquals(Expected := shA, Actual := shC, Message := '')", False),
    ("StructNotEquals", "AssertNotEquals(Expected := stA, Actual := stC, Message := '')", True),
    # Arrays.
    ("ArrayIntEqual", "AssertArrayEquals_INT(Expecteds := aInt1, Actuals := aInt2, Message := '')", True),
    ("ArrayIntDiffers", "AssertArrayEquals_INT(Expecteds := aInt1, Actuals := aInt3, Message := '')", False),
    ("ArrayIntSize", "AssertArrayEquals_INT(Expecteds := aInt1, Actuals := aInt5, Message := '')", False),
    (
        "ArrayRealOnDelta",
        "AssertArrayEquals_REAL(Expecteds := aReal1, Actuals := aReal2, Delta := 0.25, Message := '')",
        True,
    ),
    (
        "ArrayRealBeyondDelta",
        "AssertArrayEquals_REAL(Expecteds := aReal1, Actuals := aReal2, Delta := 0.125, Message := '')",
        False,
    ),
    # TcUnit's BOOL, STRING, TIME, DINT, enumeration asserts.
    ("TrueTrue", "AssertTrue(Condition := nFive = 5, Message := '')", True),
    ("TrueFalse", "AssertTrue(Condition := nFive = 4, Message := '')", False),
    ("FalseFalse", "AssertFalse(Condition := nFive = 4, Message := '')", True),
    ("FalseTrue", "AssertFalse(Condition := nFive = 5, Message := '')", False),
    ("StringEqual", "AssertEquals_STRING(Expected := 'abc', Actual := CONCAT('ab', 'c'), Message := '')", True),
    ("StringDiffers", "AssertEquals_STRING(Expected := 'abc', Actual := 'abd', Message := '')", False),
    ("TimeEqual", "AssertEquals_TIME(Expected := T#1s500ms, Actual := T#1500ms, Message := '')", True),
    ("DintEqual", "AssertEquals_DINT(Expected := 100000, Actual := dnBig, Message := '')", True),
    ("BoolDiffers", "AssertEquals_BOOL(Expected := TRUE, Actual := nFive > 5, Message := '')", False),
    ("EnumDiffers", "AssertEquals(Expected := E_Mode.Run, Actual := eMode, Message := 'enum')", False),
    # Positional arguments, as some TcUnit users write them (Expected, Actual, Message).
    ("PositionalEqual", "AssertEquals_INT(5, nFive, 'positional')", True),
    ("PositionalDiffers", "AssertEquals_INT(4, nFive, 'positional')", False),
    # Two-dimensional REAL arrays (TcUnit's AssertArray2dEquals_REAL): element by element within Delta.
    (
        "Array2dOnDelta",
        "AssertArray2dEquals_REAL(Expecteds := a2d1, Actuals := a2d2, Delta := 0.5, Message := '')",
        True,
    ),
    (
        "Array2dBeyondDelta",
        "AssertArray2dEquals_REAL(Expecteds := a2d1, Actuals := a2d2, Delta := 0.25, Message := '')",
        False,
    ),
    # Elementary types TcUnit has no AssertEquals_<TYPE> for.
    ("CharEqual", "AssertEquals_CHAR(Expected := 'A', Actual := 'A', Message := '')", True),
    ("CharDiffers", "AssertEquals_CHAR(Expected := 'A', Actual := 'B', Message := '')", False),
    ("TodEqual", "AssertEquals_TOD(Expected := TOD#12:00:00, Actual := TOD#11:00:00 + T#1h, Message := '')", True),
    ("TodDiffers", "AssertEquals_TOD(Expected := TOD#12:00:00, Actual := TOD#12:00:01, Message := '')", False),
    # DT#2024-02-28-23:59:59 + 2 s crosses into the leap day.
    (
        "DtEqual",
        "AssertEquals_DT(Expected := DT#2024-02-29-00:00:01, Actual := DT#2024-02-28-23:59:59 + T#2s, Message := '')",
        True,
    ),
    (
        "LdateDiffers",
        "AssertEquals_LDATE(Expected := LDATE#2024-01-01, Actual := LDATE#2024-01-02, Message := '')",
        False,
    ),
]


def _suite() -> str:
    methods = "".join(
        f"\nMETHOD {name}\nTEST('{name}');\n{statement};\nTEST_FINISHED();\nEND_METHOD\n"
        for name, statement, _ in CASES
    )
    calls = "".join(f"{name}();\n" for name, _, _ in CASES)
    return f"""FUNCTION_BLOCK TS_Asserts EXTENDS TcUnit.FB_TestSuite
VAR
    nFour : INT := 4;
    nFive : INT := 5;
    nSix : INT := 6;
    dnMinusOne : DINT := -1;
    dnBig : DINT := 100000;
    rHalf : REAL := 0.5;
    lrTenth : LREAL := 0.1;
    lrFifth : LREAL := 0.2;
    rNaN : REAL;
    lrNaN : LREAL;
    stA : ST_Point := (x := 1, y := 2, sName := 'p');
    stB : ST_Point := (x := 1, y := 2, sName := 'p');
    stC : ST_Point := (x := 1, y := 3, sName := 'p');
    shA : ST_Shape := (stOrigin := (x := 1, y := 2), aSides := [3, 4, 5], rScale := 1.5);
    shB : ST_Shape := (stOrigin := (x := 1, y := 2), aSides := [3, 4, 5], rScale := 1.5);
    shC : ST_Shape := (stOrigin := (x := 1, y := 2), aSides := [3, 4, 6], rScale := 1.5);
    aInt1 : ARRAY[1..4] OF INT := [1, 2, 3, 4];
    aInt2 : ARRAY[1..4] OF INT := [1, 2, 3, 4];
    aInt3 : ARRAY[1..4] OF INT := [1, 2, 3, 5];
    aInt5 : ARRAY[1..5] OF INT := [1, 2, 3, 4, 5];
    aReal1 : ARRAY[0..2] OF REAL := [1.0, 2.0, 3.0];
    aReal2 : ARRAY[0..2] OF REAL := [1.0, 2.25, 3.0];
    aRealNaN : ARRAY[0..2] OF REAL := [1.0, 2.0, 3.0];
    eMode : E_Mode := E_Mode.Stop;
    a2d1 : ARRAY[1..2, 1..2] OF REAL := [1.0, 2.0, 3.0, 4.0];
    a2d2 : ARRAY[1..2, 1..2] OF REAL := [1.0, 2.0, 3.0, 4.5];
END_VAR
rNaN := SQRT(-1.0);
lrNaN := SQRT(LREAL#-1.0);
aRealNaN[1] := rNaN;
{calls}{methods}
END_FUNCTION_BLOCK
"""


@pytest.fixture
def asserts(project):
    return project({"src/Types.st": TYPES, "tests/TS_Asserts.st": _suite()})


def test_every_assert_gives_the_hand_worked_verdict(pytester: pytest.Pytester, asserts) -> None:
    result = run(pytester, "-rf")
    failed = sorted(line.split("::")[2].split()[0] for line in result.stdout.lines if line.startswith("FAILED "))
    expected = sorted(name for name, _, passes in CASES if not passes)
    assert failed == expected
    result.assert_outcomes(passed=sum(p for _, _, p in CASES), failed=len(expected))


def _section(text: str, name: str) -> str:
    start = text.index(f"TS_Asserts::{name} _")
    end = text.find("\n___", start + 1)
    return text[start : end if end > 0 else len(text)]


def test_failure_details_of_structs_enums_and_orderings(pytester: pytest.Pytester, asserts) -> None:
    text = run(pytester).stdout.str()
    struct = _section(text, "StructDiffers")
    # stA has y = 2, stC has y = 3: both values must be visible.
    assert re.search(r"expected:.*y := 2", struct), struct
    assert re.search(r"actual:.*y := 3", struct), struct
    enum = _section(text, "EnumDiffers")
    assert re.search(r"expected:.*E_Mode\.Run", enum), enum
    assert re.search(r"actual:.*E_Mode\.Stop", enum), enum
    greater = _section(text, "GreaterEqual")
    # AssertGreater(Actual := 5, Limit := 5): the report shows the relation and both numbers.
    assert re.search(r"expected:.*>\s*5", greater), greater
    assert re.search(r"actual:\s*5", greater), greater
    line = line_of(asserts / "tests/TS_Asserts.st", "AssertEquals(Expected := stA, Actual := stC")
    assert f"tests/TS_Asserts.st:{line}:" in struct


# ---------------------------------------------------------------------------------------------- TcUnit as TwinCAT users write it

TWINCAT_SOURCES = {
    "src/POUs/F_Add.st": """
        FUNCTION F_Add : INT
        VAR_INPUT
            nA : INT;
            nB : INT;
        END_VAR
        F_Add := nA + nB;
        END_FUNCTION
    """,
    "src/POUs/FB_Scaler.st": """
        FUNCTION_BLOCK FB_Scaler
        VAR_INPUT
            nRaw : INT;
        END_VAR
        VAR_OUTPUT
            rValue : REAL;
        END_VAR
        rValue := INT_TO_REAL(nRaw) / 27648.0 * 100.0;
        END_FUNCTION_BLOCK
    """,
    "src/POUs/FB_Sorter.st": """
        FUNCTION_BLOCK FB_Sorter
        VAR_IN_OUT
            aValues : ARRAY[1..5] OF INT;
        END_VAR
        VAR
            i : INT;
            j : INT;
            nTmp : INT;
        END_VAR
        FOR i := 1 TO 4 DO
            FOR j := 1 TO 5 - i DO
                IF aValues[j] > aValues[j + 1] THEN
                    nTmp := aValues[j];
                    aValues[j] := aValues[j + 1];
                    aValues[j + 1] := nTmp;
                END_IF
            END_FOR
        END_FOR
        END_FUNCTION_BLOCK
    """,
    "test/FB_Math_Test.st": """
        FUNCTION_BLOCK FB_Math_Test EXTENDS TcUnit.FB_TestSuite
        VAR
        END_VAR

        TestAddition();
        TestScaling();
        TestSorting();
        TestSortingWrongExpectation();
        TestAdditionWrongExpectation();

        METHOD PRIVATE TestAddition
        VAR
            nResult : INT;
        END_VAR

        TEST('TestAddition');

        nResult := F_Add(nA := 2, nB := 3);

        AssertEquals_INT(Expected := 5,
                         Actual := nResult,
                         Message := 'Addition of 2 and 3 failed');

        TEST_FINISHED();
        END_METHOD

        METHOD PRIVATE TestScaling
        VAR
            fbScaler : FB_Scaler;
        END_VAR

        TEST('TestScaling');

        fbScaler(nRaw := 13824);

        AssertEquals_REAL(Expected := 50.0,
                          Actual := fbScaler.rValue,
                          Delta := 0.001,
                          Message := 'Half of full scale is 50 %');

        TEST_FINISHED();
        END_METHOD

        METHOD PRIVATE TestSorting
        VAR
            fbSorter : FB_Sorter;
            aValues : ARRAY[1..5] OF INT := [5, 3, 4, 1, 2];
            aExpected : ARRAY[1..5] OF INT := [1, 2, 3, 4, 5];
        END_VAR

        TEST('TestSorting');

        fbSorter(aValues := aValues);

        AssertArrayEquals_INT(Expecteds := aExpected,
                              Actuals := aValues,
                              Message := 'Values are not sorted');

        TEST_FINISHED();
        END_METHOD

        METHOD PRIVATE TestSortingWrongExpectation
        VAR
            fbSorter : FB_Sorter;
            aValues : ARRAY[1..5] OF INT := [5, 3, 4, 1, 2];
            aExpected : ARRAY[1..5] OF INT := [5, 4, 3, 2, 1];
        END_VAR

        TEST('TestSortingWrongExpectation');

        fbSorter(aValues := aValues);

        AssertArrayEquals_INT(Expecteds := aExpected,
                              Actuals := aValues,
                              Message := 'Expected descending order');

        TEST_FINISHED();
        END_METHOD

        METHOD PRIVATE TestAdditionWrongExpectation
        VAR
            nResult : INT;
        END_VAR

        TEST('TestAdditionWrongExpectation');

        nResult := F_Add(nA := 2, nB := 2);

        AssertEquals_INT(Expected := 5,
                         Actual := nResult,
                         Message := 'Two and two make five');

        TEST_FINISHED();
        END_METHOD

        END_FUNCTION_BLOCK
    """,
    "test/PRG_TEST.st": """
        PROGRAM PRG_TEST
        VAR
            fbMath_Test : FB_Math_Test;
        END_VAR

        TcUnit.RUN();
        END_PROGRAM
    """,
}


def test_tcunit_suite_as_twincat_users_write_it(pytester: pytest.Pytester, project) -> None:
    root = project(TWINCAT_SOURCES, '[project]\nname = "twincat"\nsources = ["src", "test"]\n')
    result = run(pytester)
    # TestAddition: 2 + 3 = 5. TestScaling: 13824 / 27648 * 100 = 50.0 exactly. TestSorting: bubble sort of
    # [5, 3, 4, 1, 2] is [1, 2, 3, 4, 5]. TestSortingWrongExpectation: [5, 4, 3, 2, 1] differs at the first
    # element (5 vs 1). TestAdditionWrongExpectation: 2 + 2 = 4, not 5.
    result.assert_outcomes(passed=3, failed=2)
    text = result.stdout.str()
    wrong = text[text.index("FB_Math_Test::TestAdditionWrongExpectation _") :]
    line = line_of(root / "test/FB_Math_Test.st", "AssertEquals_INT(Expected := 5,")
    # The assert spans three lines; TestAddition's is the first of the two with this text, so look for the second.
    lines = [
        n
        for n, t in enumerate((root / "test/FB_Math_Test.st").read_text().splitlines(), 1)
        if "AssertEquals_INT(Expected := 5," in t
    ]
    assert line == lines[0] and len(lines) == 2
    assert f"test/FB_Math_Test.st:{lines[1]}:" in wrong
    assert "Two and two make five" in wrong
    assert re.search(r"expected:\s*5\b", wrong) and re.search(r"actual:\s*4\b", wrong), wrong
    sorting = text[text.index("FB_Math_Test::TestSortingWrongExpectation _") :]
    assert "Expected descending order" in sorting


# ---------------------------------------------------------------------------------------------- no limits


def test_more_than_a_thousand_asserts_are_all_counted(pytester: pytest.Pytester, project) -> None:
    # TcUnit stops recording after 1000 asserts per suite; plcops must not. 1500 passing asserts in a loop,
    # then one failing assert: it is assert number 1501, and it must still be evaluated and reported.
    project(
        {
            "tests/TS_Many.st": """
                FUNCTION_BLOCK TS_Many EXTENDS FB_TestSuite
                VAR
                    i : INT;
                END_VAR
                ManyAsserts();

                METHOD ManyAsserts
                TEST('ManyAsserts');
                FOR i := 1 TO 1500 DO
                    AssertEquals_INT(Expected := i, Actual := i, Message := 'same');
                END_FOR
                AssertEquals_INT(Expected := 1, Actual := 2, Message := 'assert number 1501');
                TEST_FINISHED();
                END_METHOD
                END_FUNCTION_BLOCK
            """,
        }
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    text = result.stdout.str()
    assert "assert number 1501" in text
    assert "1501 asserts" in text


def test_a_thousand_and_one_failing_asserts_are_all_reported(pytester: pytest.Pytester, project) -> None:
    project(
        {
            "tests/TS_ManyFail.st": """
                FUNCTION_BLOCK TS_ManyFail EXTENDS FB_TestSuite
                VAR
                    i : INT;
                END_VAR
                ManyFailures();

                METHOD ManyFailures
                TEST('ManyFailures');
                FOR i := 1 TO 1001 DO
                    AssertEquals_INT(Expected := 0, Actual := i, Message := 'each one fails');
                END_FOR
                TEST_FINISHED();
                END_METHOD
                END_FUNCTION_BLOCK
            """,
        }
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    assert result.stdout.str().count("each one fails") == 1001


def test_messages_longer_than_253_characters_are_kept_whole(pytester: pytest.Pytester, project) -> None:
    # TcUnit's Message is a T_MaxString (255 bytes, 253 of them usable in its log); plcops keeps it all.
    message = "start " + "x" * 290 + " the end of a long message"
    assert len(message) > 300
    project(
        {
            "tests/TS_Long.st": f"""
                FUNCTION_BLOCK TS_Long EXTENDS FB_TestSuite
                LongMessage();

                METHOD LongMessage
                TEST('LongMessage');
                AssertTrue(Condition := FALSE, Message := '{message}');
                TEST_FINISHED();
                END_METHOD
                END_FUNCTION_BLOCK
            """,
        }
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    assert message in result.stdout.str()


def test_long_message_built_in_a_long_string_variable(pytester: pytest.Pytester, project) -> None:
    dots = "." * 90
    project(
        {
            "tests/TS_Long.st": f"""
                FUNCTION_BLOCK TS_Long EXTENDS FB_TestSuite
                VAR
                    sMessage : STRING(400);
                END_VAR
                LongMessage();

                METHOD LongMessage
                TEST('LongMessage');
                sMessage := CONCAT('begin-', '{dots}');
                sMessage := CONCAT(sMessage, sMessage);
                sMessage := CONCAT(sMessage, sMessage);
                sMessage := CONCAT(sMessage, '-finish');
                AssertTrue(Condition := FALSE, Message := sMessage);
                TEST_FINISHED();
                END_METHOD
                END_FUNCTION_BLOCK
            """,
        }
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    # 'begin-' + 90 dots = 96 characters; doubled twice = 384; + '-finish' = 391 characters (< STRING(400)).
    expected = ("begin-" + dots) * 4 + "-finish"
    assert len(expected) == 391
    assert expected in result.stdout.str()


def test_failure_without_message_names_the_assert(pytester: pytest.Pytester, asserts) -> None:
    text = run(pytester).stdout.str()
    assert "AssertEquals_REAL" in _section(text, "RealBeyondDelta")
    assert "AssertEquals_LREAL" in _section(text, "LRealWithoutDelta")
    assert "AssertEquals_STRING" in _section(text, "StringDiffers")
    assert "AssertGreater" in _section(text, "GreaterEqual")
    assert "AssertLessOrEqual" in _section(text, "LessOrEqualAbove")


def test_struct_failure_shows_members_as_st_values(pytester: pytest.Pytester, project) -> None:
    project(
        {
            "src/Types.st": TYPES
            + """
                TYPE ST_Setting :
                STRUCT
                    bOn : BOOL;
                    tDelay : TIME;
                    stAt : ST_Point;
                END_STRUCT
                END_TYPE
            """,
            "tests/TS_Show.st": """
                FUNCTION_BLOCK TS_Show EXTENDS FB_TestSuite
                VAR
                    stE : ST_Setting := (bOn := TRUE, tDelay := T#1s, stAt := (x := 7, y := 8, sName := 'e'));
                    stF : ST_Setting := (bOn := TRUE, tDelay := T#2s, stAt := (x := 7, y := 8, sName := 'e'));
                END_VAR
                Shows();

                METHOD Shows
                TEST('Shows');
                AssertEquals(Expected := stE, Actual := stF, Message := 'settings');
                TEST_FINISHED();
                END_METHOD
                END_FUNCTION_BLOCK
            """,
        }
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    text = result.stdout.str()
    assert "object at 0x" not in text
    assert re.search(r"expected:.*bOn := TRUE.*tDelay := T#1s.*stAt := \(x := 7, y := 8", text), text
    assert re.search(r"actual:.*tDelay := T#2s", text), text
