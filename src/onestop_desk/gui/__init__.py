"""Qt faces of the program. The only package that imports PySide6."""
