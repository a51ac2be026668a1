"""zones package."""
