"""Test harness: real PostgreSQL and Chromium, started and stopped by the tests themselves."""
