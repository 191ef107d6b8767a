"""The demo stack: ``python -m examples.demo_stack`` (``make demo``) and the end-to-end test's fixture."""
