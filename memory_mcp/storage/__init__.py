"""Storage: the contract the service relies on, and its backends."""
