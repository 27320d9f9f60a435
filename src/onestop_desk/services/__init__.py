"""Use cases; each takes a unit of work. No Qt here."""
