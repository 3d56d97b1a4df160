"""``plcops test``: ST unit tests (TcUnit-compatible), pytest tests and scenario files on the simulator,
with JUnit reports and ST statement and branch coverage."""
