"""``aurum-obs report``: what each SLO did over a period, read from Prometheus, as one HTML page and a
Markdown summary. Reading (:mod:`.reader`, :mod:`.collect`) is apart from drawing (:mod:`.plots`) and
writing (:mod:`.page`, :mod:`.summary`), which are pure."""
