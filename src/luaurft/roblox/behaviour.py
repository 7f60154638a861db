"""How Roblox calls behave at run time: which yield, which reach a web service and can
fail, which may return nil. Facts for the bug-risk rules; names are method names as
called (`store:GetAsync(key)` is `GetAsync`).
"""

from __future__ import annotations

from luaurft.roblox.globals import COMMON_DATATYPES, LUAU_LIBRARIES

# Methods that make a request to a Roblox web service (or an external one) and raise
# when it fails (throttling, outage, bad input): callers are expected to use pcall.
# The Roblox documentation shows each wrapped in pcall. Grouped by the service or
# class that owns them; several names are shared (DataStore and MemoryStore
# `GetAsync`, HttpService `GetAsync`): all of them fail the same way.
WEB_CALLS: dict[str, str] = {
    # DataStoreService, GlobalDataStore, OrderedDataStore, DataStore, pages
    "GetAsync": "DataStore/HttpService/MemoryStore",
    "SetAsync": "DataStore/MemoryStore",
    "UpdateAsync": "DataStore/MemoryStore",
    "IncrementAsync": "DataStore",
    "RemoveAsync": "DataStore/MemoryStore",
    "GetSortedAsync": "OrderedDataStore",
    "BatchGetAsync": "DataStore",
    "ListKeysAsync": "DataStore",
    "ListVersionsAsync": "DataStore",
    "GetVersionAsync": "DataStore",
    "GetVersionAtTimeAsync": "DataStore",
    "RemoveVersionAsync": "DataStore",
    "ListDataStoresAsync": "DataStoreService",
    "AdvanceToNextPageAsync": "Pages",
    # MemoryStoreService queues and sorted maps
    "ReadAsync": "MemoryStoreQueue",
    "AddAsync": "MemoryStoreQueue",
    "GetRangeAsync": "MemoryStoreSortedMap",
    "ListItemsAsync": "MemoryStoreHashMap",
    # HttpService
    "PostAsync": "HttpService",
    "RequestAsync": "HttpService",
    # MarketplaceService
    "GetProductInfo": "MarketplaceService",
    "GetProductInfoAsync": "MarketplaceService",
    "UserOwnsGamePassAsync": "MarketplaceService",
    "PlayerOwnsAsset": "MarketplaceService",
    "PlayerOwnsAssetAsync": "MarketplaceService",
    "PlayerOwnsBundle": "MarketplaceService",
    "PlayerOwnsBundleAsync": "MarketplaceService",
    "GetDeveloperProductsAsync": "MarketplaceService",
    "GetSubscriptionProductInfoAsync": "MarketplaceService",
    "GetUserSubscriptionStatusAsync": "MarketplaceService",
    "GetUserSubscriptionDetailsAsync": "MarketplaceService",
    "GetUsersPriceLevelsAsync": "MarketplaceService",
    # TeleportService
    "TeleportAsync": "TeleportService",
    "ReserveServer": "TeleportService",
    "ReserveServerAsync": "TeleportService",
    "GetPlayerPlaceInstanceAsync": "TeleportService",
    "TeleportPartyAsync": "TeleportService",
    # BadgeService
    "AwardBadge": "BadgeService",
    "AwardBadgeAsync": "BadgeService",
    "UserHasBadge": "BadgeService",
    "UserHasBadgeAsync": "BadgeService",
    "GetBadgeInfoAsync": "BadgeService",
    "CheckUserBadgesAsync": "BadgeService",
    "GetUserBadgesAsync": "BadgeService",
    # Players and Player
    "GetUserIdFromNameAsync": "Players",
    "GetNameFromUserIdAsync": "Players",
    "GetFriendsAsync": "Players",
    "GetUserThumbnailAsync": "Players",
    "GetCharacterAppearanceInfoAsync": "Players",
    "GetHumanoidDescriptionFromUserId": "Players",
    "GetHumanoidDescriptionFromUserIdAsync": "Players",
    "GetHumanoidDescriptionFromOutfitIdAsync": "Players",
    "CreateHumanoidModelFromUserIdAsync": "Players",
    "BanAsync": "Players",
    "UnbanAsync": "Players",
    "GetBanHistoryAsync": "Players",
    "IsInGroupAsync": "Player",
    "GetRankInGroupAsync": "Player",
    "GetRoleInGroupAsync": "Player",
    "IsFriendsWithAsync": "Player",
    "GetFriendsOnlineAsync": "Player",
    # MessagingService
    "PublishAsync": "MessagingService",
    "SubscribeAsync": "MessagingService",
    # TextService and its filter results
    "FilterStringAsync": "TextService",
    "GetNonChatStringForBroadcastAsync": "TextFilterResult",
    "GetNonChatStringForUserAsync": "TextFilterResult",
    "GetChatForUserAsync": "TextFilterResult",
    # GroupService, UserService, PolicyService, LocalizationService
    "GetGroupInfoAsync": "GroupService",
    "GetGroupsAsync": "GroupService",
    "GetAlliesAsync": "GroupService",
    "GetEnemiesAsync": "GroupService",
    "GetUserInfosByUserIdsAsync": "UserService",
    "GetPolicyInfoForPlayerAsync": "PolicyService",
    "GetTranslatorForPlayerAsync": "LocalizationService",
    "GetCountryRegionForPlayerAsync": "LocalizationService",
    # InsertService, AssetService, pathfinding
    "LoadAsset": "InsertService",
    "LoadAssetVersion": "InsertService",
    "GetLatestAssetVersionAsync": "InsertService",
    "CreatePlaceAsync": "AssetService",
    "GetGamePlacesAsync": "AssetService",
    "SavePlaceAsync": "AssetService",
    "GetBundleDetailsAsync": "AssetService",
    "ComputeAsync": "Path",
}

# Global functions (by dotted name) that suspend the calling thread.
YIELDING_FUNCTIONS: frozenset[str] = frozenset(
    {
        "wait",
        "task.wait",
        "coroutine.yield",
        "task.desynchronize",
        "task.synchronize",
    }
)

# Calls that only let time pass or wait for an event, changing nothing: pacing, not work
# (`task.wait(1)`, `Players.PlayerAdded:Wait()`), and methods of that kind by name.
PAUSING_FUNCTIONS: frozenset[str] = frozenset({"wait", "task.wait"})
PAUSING_METHODS: frozenset[str] = frozenset({"Wait"})


def only_pauses(callee: str) -> bool:
    """True for a call (by its name as written, `task.wait`, `signal:Wait`) that only waits."""
    if ":" in callee:
        return callee.rsplit(":", 1)[1] in PAUSING_METHODS
    return callee in PAUSING_FUNCTIONS


# Methods that suspend the calling thread besides web calls and `*Async` methods.
YIELDING_METHODS: frozenset[str] = frozenset(
    {
        "Wait",
        "WaitForChild",
        "InvokeServer",
        "InvokeClient",
        "Invoke",
        "LoadCharacter",
        "LoadCharacterBlocking",
        "PlayEmote",
        *WEB_CALLS,
    }
)


def method_yields(name: str) -> bool:
    """True when calling method `name` suspends the calling thread."""
    return name in YIELDING_METHODS or name.endswith("Async")


# Standard-library tables and Roblox datatype constructors whose functions never yield
# (coroutine's are left out: `coroutine.yield` suspends the caller).
NON_YIELDING_LIBRARIES: frozenset[str] = (
    (LUAU_LIBRARIES - {"coroutine"}) | COMMON_DATATYPES | {"Enum"}
)

# Global functions and library members that never yield the calling thread
# (`task.spawn` runs its function elsewhere; the caller continues).
NON_YIELDING_FUNCTIONS: frozenset[str] = frozenset(
    {
        "print",
        "warn",
        "assert",
        "type",
        "typeof",
        "tostring",
        "tonumber",
        "pairs",
        "ipairs",
        "next",
        "select",
        "rawget",
        "rawset",
        "rawequal",
        "rawlen",
        "setmetatable",
        "getmetatable",
        "unpack",
        "tick",
        "time",
        "elapsedTime",
        "spawn",
        "delay",
        "newproxy",
        "gcinfo",
        "task.spawn",
        "task.defer",
        "task.delay",
        "task.cancel",
        "coroutine.create",
        "coroutine.wrap",
        "coroutine.resume",
        "coroutine.status",
        "coroutine.running",
        "coroutine.isyieldable",
        "coroutine.close",
    }
)

# The Instance lookups that return at once, with nil when nothing matches.
FIND_FIRST_METHODS: frozenset[str] = frozenset(
    {
        "FindFirstChild",
        "FindFirstChildOfClass",
        "FindFirstChildWhichIsA",
        "FindFirstAncestor",
        "FindFirstAncestorOfClass",
        "FindFirstAncestorWhichIsA",
        "FindFirstDescendant",
    }
)

# Instance, datatype, signal and string methods that never yield.
NON_YIELDING_METHODS: frozenset[str] = frozenset(
    {
        # Instance tree
        *FIND_FIRST_METHODS,
        "GetChildren",
        "GetDescendants",
        "IsA",
        "IsDescendantOf",
        "IsAncestorOf",
        "Clone",
        "Destroy",
        "ClearAllChildren",
        "GetFullName",
        "GetAttribute",
        "SetAttribute",
        "GetAttributes",
        "GetPropertyChangedSignal",
        "GetAttributeChangedSignal",
        "AddTag",
        "RemoveTag",
        "HasTag",
        "GetTags",
        "GetTagged",
        "GetInstanceAddedSignal",
        "GetInstanceRemovedSignal",
        "GetService",
        "FindService",
        # Signals and events
        "Connect",
        "Once",
        "ConnectParallel",
        "Disconnect",
        "Fire",
        "FireServer",
        "FireClient",
        "FireAllClients",
        # Players and characters
        "GetPlayers",
        "GetPlayerFromCharacter",
        "GetPlayerByUserId",
        "Kick",
        "GetMouse",
        "TakeDamage",
        "MoveTo",
        "ChangeState",
        "GetState",
        "SetStateEnabled",
        "GetStateEnabled",
        "LoadAnimation",
        "GetPlayingAnimationTracks",
        "Move",
        "EquipTool",
        "UnequipTools",
        "GetNetworkOwner",
        "SetNetworkOwner",
        "SetNetworkOwnershipAuto",
        # Physics and geometry
        "PivotTo",
        "GetPivot",
        "SetPrimaryPartCFrame",
        "GetBoundingBox",
        "GetExtentsSize",
        "ScaleTo",
        "GetScale",
        "ApplyImpulse",
        "ApplyAngularImpulse",
        "ApplyImpulseAtPosition",
        "GetMass",
        "GetTouchingParts",
        "GetConnectedParts",
        "Raycast",
        "Blockcast",
        "Spherecast",
        "Shapecast",
        "GetPartBoundsInBox",
        "GetPartBoundsInRadius",
        "GetPartsInPart",
        "BreakJoints",
        "MakeJoints",
        "GetServerTimeNow",
        # Animation, sound, tween, effects
        "Play",
        "Stop",
        "Pause",
        "Resume",
        "Cancel",
        "AdjustSpeed",
        "AdjustWeight",
        "Create",
        "Emit",
        "Clear",
        # Input and UI
        "IsKeyDown",
        "IsMouseButtonPressed",
        "GetMouseLocation",
        "GetKeysPressed",
        "BindToRenderStep",
        "UnbindFromRenderStep",
        "BindAction",
        "UnbindAction",
        "SetCore",
        "SetCoreGuiEnabled",
        "GetGuiObjectsAtPosition",
        "TweenPosition",
        "TweenSize",
        "TweenSizeAndPosition",
        "CaptureFocus",
        "ReleaseFocus",
        "ViewportPointToRay",
        "ScreenPointToRay",
        "WorldToScreenPoint",
        "WorldToViewportPoint",
        # Datatype methods
        "Lerp",
        "Inverse",
        "ToWorldSpace",
        "ToObjectSpace",
        "PointToWorldSpace",
        "PointToObjectSpace",
        "VectorToWorldSpace",
        "VectorToObjectSpace",
        "GetComponents",
        "ToEulerAnglesXYZ",
        "ToEulerAnglesYXZ",
        "ToOrientation",
        "ToAxisAngle",
        "Dot",
        "Cross",
        "FuzzyEq",
        "Max",
        "Min",
        "Abs",
        "Floor",
        "Ceil",
        "Sign",
        "Angle",
        "ToHSV",
        "ToHex",
        "NextNumber",
        "NextInteger",
        "NextUnitVector",
        "Shuffle",
        "ToIsoDate",
        "ToUniversalTime",
        "ToLocalTime",
        "FormatUniversalTime",
        "FormatLocalTime",
        "AddItem",
        # HttpService helpers that do no request
        "JSONEncode",
        "JSONDecode",
        "GenerateGUID",
        "UrlEncode",
        # String methods
        "format",
        "sub",
        "gsub",
        "match",
        "gmatch",
        "find",
        "upper",
        "lower",
        "rep",
        "len",
        "byte",
        "split",
        "reverse",
    }
)

# Methods that return nil when nothing matches: their result must be checked.
NIL_RETURNING_METHODS: frozenset[str] = frozenset(
    {
        *FIND_FIRST_METHODS,
        "GetPlayerFromCharacter",
        "GetPlayerByUserId",
    }
)

# The name of the Folder (or Model) under a Player whose values Roblox's player list
# shows as stats: matched exactly, case included.
LEADERSTATS = "leaderstats"
