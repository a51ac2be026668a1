"""checks/outputs."""
