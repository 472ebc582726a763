"""Block Kit builders: pure functions from domain data to view and message dicts."""
