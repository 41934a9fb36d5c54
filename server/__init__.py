"""Lượt — queue and appointment system for commune Public Administration Service Centres."""

__version__ = "0.1.0"
