"""Data protection: the retention period, and subject access exports (security issue §8)."""
