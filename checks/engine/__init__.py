"""checks/engine."""
