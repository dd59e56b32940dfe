"""The shared crawl's atomic steps, as Redis Lua scripts (each runs whole or not at all).

Keys, under the crawl key ``K`` (``NEWSCRAWL_REDIS_KEY``):

- ``K:crawl`` hash: ``id``, ``arguments`` (JSON), ``started_at``, ``state`` (``finishing``),
  ``seeded`` (``1`` once ``scrapy seed`` put start pages in: workers then seed none of theirs);
- ``K:f`` hash: story URL -> its frontier entry, JSON ``{h: hop, v: via, l: listed_at, w: wanted,
  s: state, p: pending reason, c: related story URLs once its page was read}``; states: ``s``
  scheduled (in ``K:ready`` or leased), ``p`` pending (``beyond_max_depth``, ``known``), ``m``
  emitting (accepted by the shared dedup, its feed line not confirmed yet), ``e`` ended;
- ``K:ready`` sorted set: work nobody holds, by score (a story's hop; listings -10, first);
- ``K:leased:<worker>`` set: the work a worker holds (its lease lasts while its heartbeat does);
- ``K:alive`` sorted set: worker -> the Redis time (ms) its heartbeat runs out;
- ``K:workers`` hash: worker -> JSON ``{host, pid, feeds, rejects, started_at}``;
- ``K:listings`` set: listing pages taken into the crawl (each is read once);
- ``K:dedup`` stream: the stories accepted (``op=add``: url, fingerprint, shingle hashes,
  MinHash) and withdrawn (``op=retract``), which every worker replays into its own index.

Those are the crawl's working keys, deleted when it ends. The key's *state* stays, from crawl to
crawl (what :class:`~newscrawl.state.store.StateStore` keeps for a run of one process; see
:mod:`newscrawl.shared.state`):

- ``K:state:stories`` hash: story URL -> JSON ``{i: story_id, f: body fingerprint, p: the
  latest time it showed, r: revision, fs: first emitted, ls: last seen, e: last emitted}``;
- ``K:state:minhash`` hash: story URL -> its MinHash signature (32-bit values, 512 bytes);
- ``K:state:fingerprints`` hash: body fingerprint -> the URL emitted with that text;
- ``K:state:settled`` hash: URL -> JSON ``{r: reason, u: story URL, p: published, fs, ls}``,
  a copy of a story or an old URL redirecting to one.

A story is recorded there by the same script that ends it (``ends``, op ``s``), once its feed
line is on disk, or by ``reap`` from a dead worker's feed: never before its feed has it.

A work item is a story URL, or ``L\\t<page>\\t<start 0|1>\\t<listing URL>``. Times are Redis's
own (``TIME``), so the workers' clocks do not matter. Python's :mod:`newscrawl.frontier.book` is
the model of ``meet``: the same rules, tested against both (``tests/test_shared_frontier.py``).
"""

from __future__ import annotations

_COMMON = r"""
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function nz(x) if x == cjson.null then return nil end return x end
local function get(F, u)
  local r = redis.call('HGET', F, u)
  if r then return cjson.decode(r) end
  return nil
end
local function put(F, u, e) redis.call('HSET', F, u, cjson.encode(e)) end
local function is_listing(m) return string.sub(m, 1, 2) == 'L\t' end
-- The state (K:state:*): a story emitted, recorded unless the state has it at this revision
-- or a later one (a feed read twice, a retried call); rec = {i, f, p, r, t: now}.
local function record_story(S, M, FP, u, rec, mh)
  local old = get(S, u)
  if old and tonumber(rec.r) <= tonumber(old.r) then return 0 end
  local fs = rec.t
  if old then
    fs = old.fs
    if redis.call('HGET', FP, old.f) == u then redis.call('HDEL', FP, old.f) end
  end
  put(S, u, {i = rec.i, f = rec.f, p = rec.p, r = rec.r, fs = fs, ls = rec.t, e = rec.t})
  if mh then redis.call('HSET', M, u, mh) else redis.call('HDEL', M, u) end
  redis.call('HSETNX', FP, rec.f, u)
  return 1
end
-- A URL settled as a copy of (or a redirect to) a story; s = {r, u, p, t: now}.
local function settle(T, u, s)
  local old = get(T, u)
  local fs = s.t
  if old then fs = old.fs end
  put(T, u, {r = s.r, u = s.u, p = s.p, fs = fs, ls = s.t})
end
"""

# KEYS: f, ready, leased(me), listings, crawl.  ARGV: payload (JSON), crawl id.
MEET = (
    _COMMON
    + r"""
if redis.call('HGET', KEYS[5], 'id') ~= ARGV[2] then return cjson.encode({gone = 1}) end
local F, READY, MINE, LISTINGS = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local p = cjson.decode(ARGV[1])
-- A seed (scrapy seed) is not taken into a crawl that is ending: its keys are about to go.
if p.seed == 1 and redis.call('HGET', KEYS[5], 'state') == 'finishing' then
  return cjson.encode({ending = 1})
end
local maxd, mine = p.max, (p.mine == 1)
local out, visits = {}, {}
local function visit(u, e)
  e.s = 's'; e.p = 'not_fetched'
  if mine then redis.call('SADD', MINE, u) else redis.call('ZADD', READY, e.h, u) end
  table.insert(visits, {u, e.h})
end
local function schedule_or_keep(u, e)
  if e.w == 1 then visit(u, e) else e.s = 'p'; e.p = 'known' end
end
local function meet_one(u, hop, via, listed, reason, details, wanted, work)
  local e = get(F, u)
  if e and e.t == p.t then  -- this very call, run again (its first answer was lost)
    table.insert(out, {u, e.p, details})
    return
  end
  if not e then
    e = {h = hop, v = via, l = listed, w = wanted, s = 's', p = 'not_fetched'}
    if reason then
      e.s = 'e'; e.p = reason; e.t = p.t
      table.insert(out, {u, reason, details})
    elseif hop > maxd then
      e.s = 'p'; e.p = 'beyond_max_depth'
    else
      schedule_or_keep(u, e)
    end
    put(F, u, e)
    return
  end
  if hop >= e.h then
    if listed and e.s == 'p' and e.p == 'known' and wanted == 1 then
      e.l = listed; e.w = 1; visit(u, e); put(F, u, e)
    end
    return
  end
  e.h = hop; e.v = via
  if listed then e.l = listed; e.w = wanted end
  if e.s == 'p' and e.p == 'beyond_max_depth' and hop <= maxd then
    schedule_or_keep(u, e)
  elseif e.s == 's' then
    redis.call('ZADD', READY, 'XX', hop, u)
  end
  put(F, u, e)
  if e.c and hop + 1 <= maxd then
    for child in string.gmatch(e.c, '[^\n]+') do table.insert(work, {child, hop + 1, u}) end
  end
end
local phop = p.phop
local parent = nz(p.parent)
if parent then
  local pe = get(F, parent)
  if pe then phop = pe.h end
end
for _, l in ipairs(p.links) do
  local hop, via = l[3], nz(l[4])
  if l[2] == 'related' and parent then hop = phop + 1; via = parent end
  local work = {}
  meet_one(l[1], hop, via, nz(l[5]), nz(l[6]), nz(l[7]), l[8], work)
  while #work > 0 do
    local w = table.remove(work)
    if redis.call('HEXISTS', F, w[1]) == 1 then
      meet_one(w[1], w[2], w[3], nil, nil, nil, 1, work)
    end
  end
end
if parent and nz(p.children) then
  local pe = get(F, parent)
  if pe then pe.c = table.concat(p.children, '\n'); put(F, parent, pe) end
end
local listed = 0
for _, m in ipairs(p.listings or {}) do
  if redis.call('SADD', LISTINGS, m) == 1 then
    redis.call('ZADD', READY, -10, m); listed = listed + 1
  end
end
if nz(p.release) then redis.call('SREM', MINE, p.release) end
return cjson.encode({out = out, visits = visits, listed = listed})
"""
)

# KEYS: f, leased(me), crawl.  ARGV: url, hop, via, crawl id. A redirect chain's last page.
CLAIM = (
    _COMMON
    + r"""
if redis.call('HGET', KEYS[3], 'id') ~= ARGV[4] then return -1 end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
local e = {h = tonumber(ARGV[2]), s = 's', p = 'not_fetched', w = 1}
if ARGV[3] ~= '' then e.v = ARGV[3] end
put(KEYS[1], ARGV[1], e)
redis.call('SADD', KEYS[2], ARGV[1])
return 1
"""
)

# KEYS: ready, leased(me), alive, crawl.  ARGV: how many, worker, crawl id.
LEASE = (
    _COMMON
    + r"""
if redis.call('HGET', KEYS[4], 'id') ~= ARGV[3] then return {'gone'} end
if not redis.call('ZSCORE', KEYS[3], ARGV[2]) then return {'reaped'} end
local items = redis.call('ZPOPMIN', KEYS[1], tonumber(ARGV[1]))
local res = {'ok'}
for i = 1, #items, 2 do
  redis.call('SADD', KEYS[2], items[i])
  table.insert(res, items[i]); table.insert(res, items[i + 1])
end
return res
"""
)

# KEYS: f, ready, leased(me), dedup, state stories, minhash, fingerprints, settled.  ARGV: JSON
# [[op, member, record], ...], then the MinHash blobs the records name (record.m: 1 for
# ARGV[2] ...); op: 'e' ended (a rejection or a failure), 's' a story whose feed line is on disk
# (recorded in the state), 'r' released (back to the ready queue; an accepted story is withdrawn
# from the shared dedup), 't' a URL settled (the state only).
ENDS = (
    _COMMON
    + r"""
local F, READY, MINE, DEDUP = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local S, M, FP, T = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local n = 0
for _, op in ipairs(cjson.decode(ARGV[1])) do
  local kind, m, rec = op[1], op[2], nz(op[3])
  if kind == 't' then
    settle(T, m, rec)
  else
    local held = redis.call('SREM', MINE, m) == 1
    if is_listing(m) then
      if kind == 'r' and held then redis.call('ZADD', READY, -10, m) end
    else
      local e = get(F, m)
      if e and e.s ~= 'e' then
        if kind == 'r' then
          if held then
            if e.s == 'm' then redis.call('XADD', DEDUP, '*', 'op', 'retract', 'url', m) end
            e.s = 's'; redis.call('ZADD', READY, e.h, m); put(F, m, e)
          end
        else
          e.s = 'e'; put(F, m, e)
        end
      end
      if kind == 's' and rec then
        local mh = nil
        if nz(rec.m) then mh = ARGV[1 + rec.m] end
        record_story(S, M, FP, m, rec, mh)
      end
    end
  end
  n = n + 1
end
return n
"""
)

# KEYS: crawl, alive, workers.  ARGV: new crawl id, arguments JSON, worker, info JSON, dead ms,
# started_at.
JOIN = (
    _COMMON
    + r"""
local id = redis.call('HGET', KEYS[1], 'id')
if id then
  if redis.call('HGET', KEYS[1], 'state') == 'finishing' then return {'finishing'} end
  local args = redis.call('HGET', KEYS[1], 'arguments')
  if args ~= ARGV[2] then return {'other', args, redis.call('HGET', KEYS[1], 'started_at')} end
else
  id = ARGV[1]
  redis.call('HSET', KEYS[1], 'id', id, 'arguments', ARGV[2], 'started_at', ARGV[6])
end
if redis.call('HEXISTS', KEYS[3], ARGV[3]) == 1 then return {'taken'} end
redis.call('ZADD', KEYS[2], now_ms() + tonumber(ARGV[5]), ARGV[3])
redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
return {'ok', id, redis.call('HGET', KEYS[1], 'seeded') or ''}
"""
)

# KEYS: crawl, workers.  ARGV: new crawl id, arguments JSON, started_at.  ``scrapy seed``: the
# crawl under way on the key (or a new one, with these arguments), marked seeded (its workers
# do not seed their own start pages); {'ok', id, live workers, new 0|1}, or a refusal as JOIN's.
SEED = (
    _COMMON
    + r"""
local id = redis.call('HGET', KEYS[1], 'id')
local new = 0
if id then
  if redis.call('HGET', KEYS[1], 'state') == 'finishing' then return {'finishing'} end
  local args = redis.call('HGET', KEYS[1], 'arguments')
  if args ~= ARGV[2] then return {'other', args, redis.call('HGET', KEYS[1], 'started_at')} end
else
  id = ARGV[1]; new = 1
  redis.call('HSET', KEYS[1], 'id', id, 'arguments', ARGV[2], 'started_at', ARGV[3])
end
redis.call('HSET', KEYS[1], 'seeded', '1')
return {'ok', id, redis.call('HLEN', KEYS[2]), new}
"""
)

# KEYS: alive, crawl.  ARGV: worker, dead ms, crawl id.  1 alive; 0 taken for dead; 2 crawl over.
HEARTBEAT = (
    _COMMON
    + r"""
if redis.call('HGET', KEYS[2], 'id') ~= ARGV[3] then return 2 end
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now_ms() + tonumber(ARGV[2]), ARGV[1])
return 1
"""
)

# KEYS: alive.  ARGV: grace ms.  Workers whose heartbeat ran out more than ``grace`` ago.
DEAD = (
    _COMMON
    + r"""
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now_ms() - tonumber(ARGV[1]))
"""
)

# KEYS: alive, f, ready, leased(dead worker), dedup, workers, state stories, minhash,
# fingerprints.  ARGV: worker, JSON {stories: [[url, record or null]], ended: [url]} (what its
# files say it finished; a record for each story the state may not have yet), grace ms, then
# the records' MinHash blobs (record.m: 1 for ARGV[4] ...).  Its work goes back to the ready
# queue.
REAP = (
    _COMMON
    + r"""
local ALIVE, F, READY, HELD, DEDUP, WORKERS = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local S, M, FP = KEYS[7], KEYS[8], KEYS[9]
local dl = redis.call('ZSCORE', ALIVE, ARGV[1])
if not dl then return -1 end
if tonumber(dl) > now_ms() - tonumber(ARGV[3]) then return -2 end
local done = cjson.decode(ARGV[2])
local function finished(u)
  local e = get(F, u)
  if e and e.s ~= 'e' then e.s = 'e'; put(F, u, e) end
  redis.call('SREM', HELD, u)
end
for _, story in ipairs(done.stories) do
  finished(story[1])
  local rec = nz(story[2])
  if rec then
    local mh = nil
    if nz(rec.m) then mh = ARGV[3 + rec.m] end
    record_story(S, M, FP, story[1], rec, mh)
  end
end
for _, u in ipairs(done.ended) do finished(u) end
local released = 0
for _, m in ipairs(redis.call('SMEMBERS', HELD)) do
  if is_listing(m) then
    redis.call('ZADD', READY, -10, m); released = released + 1
  else
    local e = get(F, m)
    if e and e.s ~= 'e' then
      if e.s == 'm' then redis.call('XADD', DEDUP, '*', 'op', 'retract', 'url', m) end
      e.s = 's'; put(F, m, e); redis.call('ZADD', READY, e.h, m); released = released + 1
    end
  end
end
redis.call('DEL', HELD)
redis.call('ZREM', ALIVE, ARGV[1])
redis.call('HDEL', WORKERS, ARGV[1])
return released
"""
)

# KEYS: ready, workers, crawl.  ARGV: key prefix, crawl id.  {ready, leased} or {-1} if over.
IDLE = (
    _COMMON
    + r"""
if redis.call('HGET', KEYS[3], 'id') ~= ARGV[2] then return {-1, 0} end
local leased = 0
for _, w in ipairs(redis.call('HKEYS', KEYS[2])) do
  leased = leased + redis.call('SCARD', ARGV[1] .. 'leased:' .. w)
end
return {redis.call('ZCARD', KEYS[1]), leased}
"""
)

# KEYS: ready, workers, crawl.  ARGV: key prefix, crawl id, worker.  'mine': this worker ends
# the crawl (nothing ready, nothing held); 'busy'; 'other': another worker is ending it; 'gone'.
FINISH = (
    _COMMON
    + r"""
if redis.call('HGET', KEYS[3], 'id') ~= ARGV[2] then return 'gone' end
if redis.call('HGET', KEYS[3], 'state') == 'finishing' then
  if redis.call('HGET', KEYS[3], 'finisher') == ARGV[3] then return 'mine' end
  return 'other'
end
if redis.call('ZCARD', KEYS[1]) > 0 then return 'busy' end
for _, w in ipairs(redis.call('HKEYS', KEYS[2])) do
  if redis.call('SCARD', ARGV[1] .. 'leased:' .. w) > 0 then return 'busy' end
end
redis.call('HSET', KEYS[3], 'state', 'finishing', 'finisher', ARGV[3])
return 'mine'
"""
)

# KEYS: dedup, f.  ARGV: the stream's last id the worker has replayed, url, fingerprint, shingle
# hashes, MinHash, a token (a retried call finds its own entry by it). Appended only if nobody
# accepted a story since (else false: replay, decide again); the story's entry becomes 'm'
# (emitting) until its feed line is confirmed.
ACCEPT = (
    _COMMON
    + r"""
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local lid = '0-0'
if #last > 0 then lid = last[1][1] end
if lid ~= ARGV[1] then return false end
local id = redis.call('XADD', KEYS[1], '*', 'op', 'add', 'url', ARGV[2], 'fp', ARGV[3],
  'sh', ARGV[4], 'mh', ARGV[5], 'tok', ARGV[6])
local e = get(KEYS[2], ARGV[2])
if e and e.s ~= 'e' then e.s = 'm'; put(KEYS[2], ARGV[2], e) end
return id
"""
)

# KEYS: state stories.  ARGV: url, now, the time the story shows ('' if none).  A stored
# story seen again with the same text: its last sighting, and the date line it shows now.
TOUCH = (
    _COMMON
    + r"""
local e = get(KEYS[1], ARGV[1])
if not e then return 0 end
e.ls = ARGV[2]
if ARGV[3] ~= '' then e.p = ARGV[3] end
put(KEYS[1], ARGV[1], e)
return 1
"""
)

ALL = [
    ("meet", MEET),
    ("claim", CLAIM),
    ("lease", LEASE),
    ("ends", ENDS),
    ("join", JOIN),
    ("seed", SEED),
    ("heartbeat", HEARTBEAT),
    ("dead", DEAD),
    ("reap", REAP),
    ("idle", IDLE),
    ("finish", FINISH),
    ("accept", ACCEPT),
    ("touch", TOUCH),
]
