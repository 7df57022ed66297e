"""The Track One brief: findings across the sides, with no attribution, as HTML and PDF."""

from tracktwo.common.brief.registry import BriefScope, Section, brief_section, registered_sections

__all__ = ["BriefScope", "Section", "brief_section", "registered_sections"]
