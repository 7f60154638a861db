"""Roblox Studio integration: the loopback bridge server and the companion plugin.

from luaurft.studio import StudioBridge, ScriptFile, apply_scripts_payload

with StudioBridge(port=0) as bridge:
    print(bridge.url, bridge.token)          # paste the token into the plugin
    result = bridge.request("apply_scripts", apply_scripts_payload([
        ScriptFile("Tower/Main.server.luau", "print('hi')"),
    ]), timeout=120)
"""

from luaurft.studio.bridge import (
    DEFAULT_PORT,
    BridgeLimits,
    PendingOperation,
    PluginInfo,
    StudioBridge,
)
from luaurft.studio.errors import (
    PluginInstallError,
    StudioBridgeError,
    StudioError,
    StudioOperationError,
    StudioRequestError,
    StudioTimeoutError,
)
from luaurft.studio.protocol import (
    OPERATIONS,
    PROTOCOL_VERSION,
    ScriptFile,
    apply_scripts_payload,
    source_sha256,
    validate_payload,
)

__all__ = [
    "DEFAULT_PORT",
    "OPERATIONS",
    "PROTOCOL_VERSION",
    "BridgeLimits",
    "PendingOperation",
    "PluginInfo",
    "PluginInstallError",
    "ScriptFile",
    "StudioBridge",
    "StudioBridgeError",
    "StudioError",
    "StudioOperationError",
    "StudioRequestError",
    "StudioTimeoutError",
    "apply_scripts_payload",
    "source_sha256",
    "validate_payload",
]
