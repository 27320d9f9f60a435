"""Online submission: the portal contract, its HTTP adapter, the outbox and the simulator."""
