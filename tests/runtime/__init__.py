"""Tests of the runtime shim (``aurum.observability``).

A package, so that its module names cannot collide with the build's tests.
"""
