"""Core has no scheduled work of its own; notifications are written synchronously by services."""
