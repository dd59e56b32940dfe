from __future__ import annotations

from collections.abc import Iterator

import pytest

from newscrawl.replica import Portal, ReplicaOptions, ReplicaServer


@pytest.fixture
def replica_of() -> Iterator:
    """Start replicas of any options; every one is stopped at the end of the test."""
    servers: list[ReplicaServer] = []

    def start(sites: tuple = (), **options: object) -> ReplicaServer:
        """``sites``: other hosts' replicas served beside the portal (replica.newssite)."""
        server = ReplicaServer(Portal(ReplicaOptions(**options)), sites=sites)  # type: ignore[arg-type]
        server.__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)
