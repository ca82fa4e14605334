"""Harvesting the Ombudsman's website: the polite client (client.py) and what the site looks like (lgo_site.py)."""
