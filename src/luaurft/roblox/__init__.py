"""Roblox knowledge: the API index (curated facts, optional full dump) and the mock runtime."""
