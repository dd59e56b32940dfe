"""Incremental state of scheduled crawls (issue 4).

- :mod:`newscrawl.state.store`: the SQLite state store (what earlier runs emitted);
- :mod:`newscrawl.state.lock`: the run lock that keeps two runs off one state;
- :mod:`newscrawl.state.sketch`: the body fingerprint and MinHash signature the state keeps;
- :mod:`newscrawl.state.manifest`: the small JSON manifest written beside a run's feed.
"""
