"""Dialogues: members of each side vote on short statements; the opinion engine finds the common
ground.
"""
