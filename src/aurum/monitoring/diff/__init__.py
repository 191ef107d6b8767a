"""``aurum-obs diff``: what a change does to the rendered SLOs, rules, alerts and dashboards."""
