"""The contract between the build and the runtime: what both sides must agree on, defined once.

- :mod:`~aurum.contract.metrics`: catalog types (``Metric``, ``Label``, ``MetricType``, ``RecordedSeries``);
- :mod:`~aurum.contract.catalog`: the built-in Aurum catalog;
- :mod:`~aurum.contract.prefix`: the metric prefix, an explicit input;
- :mod:`~aurum.contract.conventions`: every shared name (series, labels, groups, files, uids);
- :mod:`~aurum.contract.objective`: an SLO's objective, budget and period, derived in one place;
- :mod:`~aurum.contract.slo_manifest`: the SLO manifest model (``slos.json``);
- :mod:`~aurum.contract.build_settings`: the build's settings (prefix, SLO target overrides);
- :mod:`~aurum.contract.matching`, :mod:`~aurum.contract.durations`: PromQL matcher semantics and
  durations, shared by both sides.

Standard library and pydantic only, and nothing here reads the environment: the runtime shim
(installed without the build tools) and the build both import it.
"""
