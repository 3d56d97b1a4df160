"""The ST simulator: compiles a project to Python and runs it on virtual time."""
