"""OneStop Desk: the one-stop desk of a commune Public Administration Service Center."""

__version__ = "0.1.0"
