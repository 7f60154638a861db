"""Roblox place and model files: read binary and XML, write XML (see docs/places.md)."""
