"""checks/sites."""
