"""Governments' travel advice beside our levels: records imported from the published feeds
(docs/official.md)."""
