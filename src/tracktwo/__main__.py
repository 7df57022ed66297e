"""`python -m tracktwo` is the same as the `tracktwo` command."""

from tracktwo.cli import main

main()
