"""Cost and accuracy of the generated SLO rules in a real Prometheus (see run.py)."""
