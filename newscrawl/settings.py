"""Every default of the project, grouped: the one place a default is said.

These are the production settings; a crawl of the replica changes only ``http_proxy``.
Components read the ``NEWSCRAWL_*`` ones once, through ``newscrawl.config`` (which checks
them and refuses a name that is not here).
"""

from newscrawl import runs as _runs  # the run folder's file names (lower-case: no setting)

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"
COMMANDS_MODULE = "newscrawl.commands"

# --- Politeness towards the real portal ------------------------------------------------------
# Who to contact about this crawler: put in the User-Agent (and so in robots.txt matching)
# unless USER_AGENT itself is set (newscrawl.useragent).
NEWSCRAWL_CONTACT_URL = "https://github.com/newscrawl/newscrawl"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25

# --- Resource bounds ---------------------------------------------------------------------------
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # a story page is ~50 kB; 10 MB is a broken page
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
NEWSCRAWL_MAX_STORY_PAGES = 20  # pages of one multi-page story
NEWSCRAWL_MAX_RELATED_PER_STORY = 100  # related headlines followed per story page
# -a since: a story URL dated more than this many days before it is not requested (the date
# line of a story can be later than its URL's day); the rest are judged by published_at.
NEWSCRAWL_SINCE_URL_MARGIN_DAYS = 3

# Retries on 5xx and timeouts, waiting longer each time (Scrapy itself retries at once).
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
NEWSCRAWL_RETRY_BACKOFF_BASE = 1.0  # seconds before the first retry, doubled for each next one
NEWSCRAWL_RETRY_BACKOFF_MAX = 30.0  # ... up to this; each delay gets ±25% jitter

# --- Components --------------------------------------------------------------------------------
# Scrapy's duplicate filter with 12 bytes a request instead of ~85 (newscrawl/dupefilter.py).
DUPEFILTER_CLASS = "newscrawl.dupefilter.CompactDupeFilter"
# Scrapy's stats collector without the wrapper it puts around each call (newscrawl/stats.py).
STATS_CLASS = "newscrawl.stats.CrawlStats"
DOWNLOADER_MIDDLEWARES = {
    # Before robots.txt (100) and offsite (50): nothing outside the portal is ever requested.
    "newscrawl.downloadermiddlewares.scope.ScopeGuard": 40,
    # Waits before a retried request is sent again.
    "newscrawl.downloadermiddlewares.backoff.RetryBackoffMiddleware": 50,
    # After HttpCompression (590) in response order: sees decompressed bodies.
    "newscrawl.downloadermiddlewares.content.ContentSniffer": 585,
    # Before RedirectMiddleware (600) in response order: a bad redirect is never scheduled.
    "newscrawl.downloadermiddlewares.scope.RedirectGuard": 650,
    # After the content sniffer, before MetaRefreshMiddleware (580): the same for a refresh.
    "newscrawl.downloadermiddlewares.scope.RefreshGuard": 582,
    # After every redirect in response order: a story page that arrived at another URL is
    # filed under it.
    "newscrawl.downloadermiddlewares.scope.Arrival": 575,
    # After both in response order: a static story page goes through the browser when
    # -a render asks for it (render=auto|always only).
    "newscrawl.downloadermiddlewares.render.RenderAgain": 570,
    # Closes rendered pages once read and recycles browser contexts (render=auto|always only).
    "newscrawl.downloadermiddlewares.browser_contexts.BrowserContexts": 950,
    # Scrapy's, that do nothing here but cost every request a call (BENCHMARKS.md, *Speed*):
    # the offsite filter has no allowed_domains to apply (ScopeGuard, before it, keeps the
    # crawl on the portal), and no spider gives HTTP credentials.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
}
SPIDER_MIDDLEWARES = {
    # Nearest the spider: every story link it yields goes through the crawl's frontier.
    "newscrawl.spidermiddlewares.frontier.FrontierMiddleware": 960,
    # A page whose handling raised ends as a failure (extraction_error), not unresolved.
    "newscrawl.spidermiddlewares.errors.PageErrors": 950,
    # Scrapy's, that do nothing here but cost every link a spider yields a call: the depth
    # counter (the frontier's hops are the crawl's depth, -a max_depth its limit) and the
    # check for response.meta copied into new requests (our spiders build every meta anew).
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}

ITEM_PIPELINES = {
    "newscrawl.pipelines.clean.CleanStoryPipeline": 100,
    "newscrawl.pipelines.since.SincePipeline": 150,  # only with -a since
    "newscrawl.pipelines.validate.ValidateStoryPipeline": 200,
    "newscrawl.pipelines.dedup.DeduplicatePipeline": 300,
    "newscrawl.pipelines.state.StateStoryPipeline": 400,  # only with NEWSCRAWL_STATE
    "newscrawl.pipelines.limit.StoryLimitPipeline": 900,
}
# Cleaning, validation and deduplication (see README, "Pipelines").
NEWSCRAWL_MIN_BODY_CHARS = 200  # a shorter body is rejected as no_body
NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD = 0.8  # estimated Jaccard similarity of word shingles
NEWSCRAWL_SHINGLE_SIZE = 5  # words per shingle
# MinHash size. Within a run the exact similarity decides and the permutations only shape the
# LSH; they still decide for stories preloaded from the state store, where the estimate's
# standard error at J = 0.8 is 0.035 (0.05 with 64). BENCHMARKS.md, "Deduplication".
NEWSCRAWL_MINHASH_PERMUTATIONS = 128
# Regular expressions of whole body paragraphs that are boilerplate on every site, added to
# the site profile's own (its WeChat line, share labels, editors line …).
NEWSCRAWL_BOILERPLATE_PATTERNS: list[str] = []
EXTENSIONS = {
    # Scrapy's every-minute "Crawled N pages" line gives way to one that says where the
    # crawl is (newscrawl/extensions/progress.py).
    "scrapy.extensions.logstats.LogStats": None,
    "newscrawl.extensions.progress.Progress": 0,
    # Scrapy's feed exporter, whose write errors stop the run instead of scrolling by.
    "scrapy.extensions.feedexport.FeedExporter": None,
    "newscrawl.extensions.feeds.FeedExporter": 0,
    "newscrawl.extensions.state.RunState": 50,  # lock + reconcile before any request
    "newscrawl.extensions.ledger.OutcomeLedger": 100,  # the frontier, and where URLs end
    # When the engine stops: the state reads the feed back, the manifest is written, and the
    # health verdict (counting any failure of those) is the log's last line.
    "newscrawl.extensions.history.RunHistory": 60,  # the state's past runs; this one recorded
    "newscrawl.extensions.manifest.RunManifest": 500,
    "newscrawl.extensions.metrics.RunMetrics": 550,  # the Prometheus file, after the manifest
    "newscrawl.extensions.health.HealthCheck": 600,
    # The root logger at LOG_LEVEL once Scrapy's handlers are in: DEBUG records unmade.
    "newscrawl.extensions.loglevel.LogLevelGate": 700,
    # The engine's garbage collected less often (newscrawl/extensions/garbage.py).
    "newscrawl.extensions.garbage.GarbageCollection": 800,
}

# Every this many seconds, one line: stories, rejections, failures, pages a minute, the
# frontier, elapsed and (when it can be told) the time left. 0: none. Logged at INFO, so
# LOG_LEVEL=WARNING keeps it quiet.
NEWSCRAWL_PROGRESS_INTERVAL = 30.0
ADDONS = {
    # scrapy-playwright, for a crawl that renders only (newscrawl/addons.py).
    "newscrawl.addons.Rendering": 0,
    # The shared frontier, scheduler and dedup of a many-worker crawl (NEWSCRAWL_REDIS_URL only).
    "newscrawl.addons.Distributed": 10,
}

# --- Scheduled runs (see README, "Scheduled crawls") -----------------------------------------
NEWSCRAWL_STATE = None  # path of the SQLite state; unset = a plain one-off crawl
NEWSCRAWL_REFRESH_HOURS = 48  # stored stories younger than this are fetched again
# Earlier runs' stories published, emitted or seen within this many days are preloaded into
# near-duplicate detection (~7 KB of memory each).
NEWSCRAWL_DEDUP_WINDOW_DAYS = 30
# A run fails (exit 3, reason on the last log line) when:
NEWSCRAWL_HEALTH_MAX_LAYOUT_MISS = 0.5  # more story pages than this missed the site profile
NEWSCRAWL_HEALTH_MIN_PAGES = 5  # ... counted only once this many story pages were seen
NEWSCRAWL_HEALTH_MAX_ERROR_RATE = 0.5  # more responses than this were errors
# ... or, with a state, when it is far from the usual runs of that state (newscrawl/history.py):
# the median of the last HISTORY_RUNS finished, healthy runs with the same arguments, judged
# once HISTORY_MIN_RUNS of them exist.
NEWSCRAWL_HISTORY_RUNS = 10
NEWSCRAWL_HISTORY_MIN_RUNS = 3
NEWSCRAWL_HISTORY_MIN_STORIES_SHARE = 0.5  # stories found under this share of the usual
NEWSCRAWL_HISTORY_MAX_FAILURE_JUMP = 0.2  # one failure reason's share of pages fetched this
NEWSCRAWL_HISTORY_MIN_FAILURES = 5  # ... far above the usual, and at least this many pages
NEWSCRAWL_HISTORY_MAX_COVERAGE_DROP = 0.2  # a field's share of stories this far under the usual
NEWSCRAWL_HISTORY_MIN_STORIES = 10  # ... judged on runs that emitted at least this many

# --- Many workers, one crawl (README, "Past one machine") ------------------------------------
# A Redis URL (redis://host:6379/0) switches the run to a worker of a shared crawl: the frontier,
# the leases of the work in flight, the story set (dedup) live in Redis under NEWSCRAWL_REDIS_KEY.
# Unset: a run of one process, and nothing of Redis is imported.
NEWSCRAWL_REDIS_URL = None
NEWSCRAWL_REDIS_KEY = "newscrawl:related"  # one crawl per key; workers of one key cooperate
NEWSCRAWL_WORKER_ID = None  # in this worker's file names; unset: <host>-<pid>
# Once the shared frontier is empty and no worker has work in flight for this long, every
# worker ends (so cron can run them).
NEWSCRAWL_REDIS_IDLE_SECONDS = 10.0
# A worker whose heartbeat is older than this is dead: its work in flight goes back to the
# shared frontier (its files are read first when they are on the same machine).
NEWSCRAWL_REDIS_DEAD_SECONDS = 10.0
# Redis unreachable: each call is retried with backoff for this long, then the run stops (74).
NEWSCRAWL_REDIS_RETRY_SECONDS = 30.0
NEWSCRAWL_REDIS_TIMEOUT_SECONDS = 2.0  # socket timeout of one Redis call

# --- Rendering (-a render=auto|always; README, "Rendering") -----------------------------------
# Debian's Chromium; no browser is ever downloaded. Without it, render=never still works and
# auto/always stop before any request (exit 69) with one line naming this setting.
NEWSCRAWL_CHROMIUM_PATH = "/usr/bin/chromium"
NEWSCRAWL_RENDER_TIMEOUT_MS = 30_000  # a page not loaded by then fails with render_timeout
NEWSCRAWL_RENDER_MAX_PAGES = 4  # browser pages open at once in ONE context (not in all)
NEWSCRAWL_RENDER_PAGES_PER_CONTEXT = 50  # then a fresh context; the old one is closed
# scrapy-playwright's handler and PLAYWRIGHT_* settings are installed by the Rendering add-on
# only for a run that renders: installed, the handler starts Playwright's driver process even
# when no request is rendered. Pictures, fonts, media and style sheets are never loaded.

# --- Output (README, "Output"; every path of a run is decided in newscrawl/runs.py) ---------
# Each run makes its own folder here, exclusively, named by its UTC start time and a random
# part (output/related/2026-12-01T08-39-33Z-3fa9c1/): its stories, rejects.jsonl and
# manifest.json. Relative to the folder the command runs in; %(name)s is the spider's name.
NEWSCRAWL_OUTPUT_DIR = "output/%(name)s"
# Each run also writes its Prometheus metrics (metrics.prom in its folder). Set this to a path
# ending in .prom in node_exporter's textfile directory to have every run replace it there
# (atomically), for alerts on a night of failed or empty runs (newscrawl/metrics.py).
NEWSCRAWL_METRICS_FILE = None
# `-o/-O` replace these, as in any Scrapy project; the rejects and the manifest stay in the
# run's folder.
FEEDS = {
    f"%(run_folder)s/{_runs.STORIES_JSONL}": {
        "format": "jsonlines",
        "encoding": "utf-8",
        "item_classes": ["newscrawl.items.Story"],
    },
    f"%(run_folder)s/{_runs.STORIES_CSV}": {
        "format": "csv",
        "encoding": "utf-8",
        "item_classes": ["newscrawl.items.Story"],
    },
}
FEED_URI_PARAMS = "newscrawl.runs.feed_uri_params"  # %(run_folder)s, %(run)s, %(run_time)s
# JSON lines with U+2028, U+2029 and U+0085 escaped (line readers end a line there); a CSV
# with list cells as JSON, formulas neutralised, and cells cut at what a spreadsheet holds.
FEED_EXPORTERS = {
    "csv": "newscrawl.exporters.StoryCsvItemExporter",
    **dict.fromkeys(("jsonlines", "jsonl", "jl"), "newscrawl.exporters.StoryJsonLinesItemExporter"),
}
FEED_EXPORT_ENCODING = "utf-8"

# --- Speed (README, "Speed") -----------------------------------------------------------------
# Processes that extract, clean and sketch stories beside the engine's (newscrawl/workers.py):
# 0 does it all in the engine's process; on a machine of N cores, N - 1 leaves the engine one.
NEWSCRAWL_WORKERS = 0
# The engine's process collects its young garbage every this many allocations (Python's own:
# 700): its full collections were 13% of its CPU (newscrawl/extensions/garbage.py).
NEWSCRAWL_GC_THRESHOLD = 20000

# --- Engine ------------------------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
# Outputs of one response handled at once. Scrapy starts this many asyncio tasks for every
# response (its default, 100, made task creation 9-12% of a crawl's time); a story page yields
# one story and a dozen links, and every pipeline here is synchronous, so more buys nothing.
CONCURRENT_ITEMS = 4
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote control runs an HTTP server that executes Python code sent to it, and
# writes its port and token to ~/.local/state/scrapy/job_files/, a file a killed run leaves
# behind: not for a crawler run from cron.
REMOTE_CONTROL_ENABLED = False
# A dropped story is one line (its URL, the reason, what it duplicates), never the whole story.
LOG_FORMATTER = "newscrawl.logformatter.StoryLogFormatter"
