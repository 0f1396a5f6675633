"""Pure rules the service applies: no I/O, each testable alone."""
