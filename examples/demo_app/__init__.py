"""The demo application: ``python -m examples.demo_app --port 8000`` (see ``examples.demo_app.app``)."""
