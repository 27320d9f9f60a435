"""The admin face (`onestop-desk admin`): the center head's and IT's settings, one tab per area."""

from onestop_desk.gui.admin.portal import PortalTab
from onestop_desk.gui.admin.window import AdminWindow, run_admin

__all__ = ["AdminWindow", "PortalTab", "run_admin"]
