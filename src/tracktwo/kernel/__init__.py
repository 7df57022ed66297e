"""The kernel: settings, errors, translations, SVG, text tools and the part manifest type. Imports
nothing else of tracktwo.
"""
