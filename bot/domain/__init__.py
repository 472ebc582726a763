"""Pure product rules: no Slack, no database. Tested with plain tables of cases."""
