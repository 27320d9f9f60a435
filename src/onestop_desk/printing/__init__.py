"""Printing: tickets and slips drawn as images and sent to ESC/POS thermal printers."""
