"""HTTP layer: routes, dependencies, error handling. Business rules live in the services."""
