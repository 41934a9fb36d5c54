"""The demo: a seeded two-site ward of Bắc Ninh, and a simulated day that gives its screens life."""
