"""What every part shares: accounts, initiatives, roles, participation, disclosure, uploads."""
