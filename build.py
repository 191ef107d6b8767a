#!/usr/bin/env python3
"""Render and validate every declaration into build/ (same as ``aurum-obs build``)."""

import sys

try:
    from aurum.monitoring.cli import main
except ImportError as error:  # run with a Python that lacks the package: say how to get one
    sys.exit(f"{error}\nrun 'make build' (it creates .venv), or use .venv/bin/python build.py")

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]]))
