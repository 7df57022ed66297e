"""Evaluation surveys: validated attitude scales before, after and long after, per side."""
