"""What every part shares: accounts, initiatives and sides, roles, the participation kernel, the
brief.
"""
