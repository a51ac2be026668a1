"""checks/app."""
