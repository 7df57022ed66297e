"""Tests of each part: tests/parts/<part>/ on the platform, tests/parts/<part>/<engine>/ of its
pure engine.
"""
