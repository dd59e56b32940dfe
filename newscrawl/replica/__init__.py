"""An offline replica of the portal: a deterministic generator and a proxy server for it."""

from newscrawl.replica.portal import Page, Portal, ReplicaOptions
from newscrawl.replica.server import ReplicaServer, RequestRecord

__all__ = ["Page", "Portal", "ReplicaOptions", "ReplicaServer", "RequestRecord"]
