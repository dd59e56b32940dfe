"""A crawl many workers share through Redis (``NEWSCRAWL_REDIS_URL``; README, "Past one machine").

Imported only when that setting is given (:mod:`newscrawl.distributed` is the switch): the
connection (:mod:`.connection`), the atomic steps as Lua scripts (:mod:`.scripts`), the shared
frontier with its leases (:mod:`.frontier`), the worker's life (:mod:`.worker`), the scheduler
that takes work from the shared queue (:mod:`.scheduler`), the frontier middleware's shared
form (:mod:`.middleware`) and the shared story set (:mod:`.dedup`).
"""
