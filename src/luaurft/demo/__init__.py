"""`luaurft demo`: the whole SFT → RFT loop on a CPU, on a procedural Roblox suite."""
