"""Tests of the pure ISM engine."""
