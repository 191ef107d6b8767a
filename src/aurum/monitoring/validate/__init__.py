"""Validation of what the compilers produced: PromQL parsing in-process, promtool as a subprocess."""
