"""``aurum-obs backtest``: an SLO's alert tiers replayed over the history of its input series."""
