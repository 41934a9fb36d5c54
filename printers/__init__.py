"""Ticket rendering (Pillow) and printer drivers (python-escpos), with the print spooler."""
