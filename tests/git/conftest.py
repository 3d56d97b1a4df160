"""Git tests use the ``repo`` fixture of tests/conftest.py."""
