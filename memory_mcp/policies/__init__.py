"""Pure rules the service applies: no I/O beyond reading a project's git config."""
