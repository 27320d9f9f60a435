"""The counter face: the queue panel (call, recall, skip, transfer, serve) and its window."""

from onestop_desk.gui.counter.panel import QueuePanel
from onestop_desk.gui.counter.window import CounterWindow, run_counter

__all__ = ["CounterWindow", "QueuePanel", "run_counter"]
