from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import settings

from newscrawl.replica import Portal, ReplicaOptions, ReplicaServer

# No timing assertions in tests: Hypothesis's per-example deadline is one, and a shared machine
# (or CI under load) would turn it into a failure that says nothing about the code.
settings.register_profile("newscrawl", deadline=None)
settings.load_profile("newscrawl")


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
