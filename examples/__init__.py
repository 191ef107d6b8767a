"""Runnable examples: the demo application and the stack that runs it against Prometheus."""
