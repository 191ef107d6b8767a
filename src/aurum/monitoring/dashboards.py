"""What a dashboard declaration under ``dashboards/`` imports besides grafanalib and the catalog.

```python
from grafanalib.core import TimeSeries

from aurum.monitoring.dashboards import PLATFORM_FOLDER, Board, Row, target

BOARD = Board(uid="aurum-example", title="Example", folder=PLATFORM_FOLDER, tags=("aurum",), rows=(...))
```
"""

from aurum.monitoring.compile.panels import (
    ALERT_STATUS_UID,
    DATASOURCE,
    PLATFORM_FOLDER,
    SLO_DETAIL_UID,
    SLO_FOLDER,
    SLO_OVERVIEW_UID,
    dashboard_url,
    dashed,
    link_to,
    panel_link,
    query_variable,
    series,
    steps,
    target,
)
from aurum.monitoring.model.dashboard import Board, Folder, Row

__all__ = [
    "ALERT_STATUS_UID",
    "DATASOURCE",
    "PLATFORM_FOLDER",
    "SLO_DETAIL_UID",
    "SLO_FOLDER",
    "SLO_OVERVIEW_UID",
    "Board",
    "Folder",
    "Row",
    "dashboard_url",
    "dashed",
    "link_to",
    "panel_link",
    "query_variable",
    "series",
    "steps",
    "target",
]
