"""Tests of what the parts share: accounts, initiatives, the participation kernel, the brief."""
