"""Tests of the runtime shim (``aurum.observability``); a package so module names cannot collide with the build's tests."""
