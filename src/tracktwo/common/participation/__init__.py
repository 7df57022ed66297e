"""The participation kernel: one invitation link, one membership, one join flow for every part."""
