"""devpath: a Slack app that helps people choose between executive coaching and mentoring."""

__version__ = "0.1.0"
