"""API rules: services, classes, members, deprecations and client/server use of the Roblox API."""
