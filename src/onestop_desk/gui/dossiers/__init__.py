"""The counter's dossier tab: the list of dossiers, the opened dossier and its actions."""

from onestop_desk.gui.dossiers.panel import DossiersPane

__all__ = ["DossiersPane"]
