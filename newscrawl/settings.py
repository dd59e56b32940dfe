"""Every default of the project, grouped.

These are the production settings; a crawl of the replica changes only ``http_proxy``.
"""

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"
COMMANDS_MODULE = "newscrawl.commands"

# --- Politeness towards the real portal ------------------------------------------------------
# Who to contact about this crawler; shown in the User-Agent.
NEWSCRAWL_CONTACT_URL = "https://github.com/newscrawl/newscrawl"
USER_AGENT = f"newscrawl/0.1 (+{NEWSCRAWL_CONTACT_URL}; research crawler of French-language news)"
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

# Retries with backoff on 5xx and timeouts (Scrapy >= 2.13 backs off between retries).
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

# --- Components --------------------------------------------------------------------------------
ITEM_PIPELINES = {
    "newscrawl.pipelines.clean.CleanStoryPipeline": 100,
    "newscrawl.pipelines.validate.ValidateStoryPipeline": 200,
    "newscrawl.pipelines.dedup.DeduplicatePipeline": 300,
    "newscrawl.pipelines.state.StateStoryPipeline": 400,  # only with NEWSCRAWL_STATE
    "newscrawl.pipelines.limit.StoryLimitPipeline": 900,
}
# Cleaning, validation and deduplication (see README, "Pipelines").
NEWSCRAWL_MIN_BODY_CHARS = 200  # a shorter body is rejected as no_body
NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD = 0.8  # estimated Jaccard similarity of word shingles
NEWSCRAWL_SHINGLE_SIZE = 5  # words per shingle
NEWSCRAWL_MINHASH_PERMUTATIONS = 128  # MinHash size: 64 is ~8% faster, misses more near copies
EXTENSIONS = {
    "newscrawl.extensions.state.RunState": 50,  # first: lock + reconcile before any request
    "newscrawl.extensions.ledger.OutcomeLedger": 100,
    "newscrawl.extensions.health.HealthCheck": 500,
    "newscrawl.extensions.manifest.RunManifest": 600,  # after the health verdict
}

# --- Scheduled runs (see README, "Scheduled crawls") -----------------------------------------
NEWSCRAWL_STATE = None  # path of the SQLite state; unset = a plain one-off crawl
NEWSCRAWL_REFRESH_HOURS = 48  # stored stories younger than this are fetched again
# Earlier runs' stories published within this many days are preloaded into near-duplicate
# detection (~7 KB of memory each).
NEWSCRAWL_DEDUP_WINDOW_DAYS = 30
# A run fails (exit 3, reason on the last log line) when:
NEWSCRAWL_HEALTH_MAX_LAYOUT_MISS = 0.5  # more story pages than this missed the site profile
NEWSCRAWL_HEALTH_MIN_PAGES = 5  # ... counted only once this many story pages were seen
NEWSCRAWL_HEALTH_MAX_ERROR_RATE = 0.5  # more responses than this were errors

# --- Feeds -------------------------------------------------------------------------------------
# One file per run, named by the run's UTC start time; rejections go beside them
# (<time>.rejects.jsonl). `-o/-O` replace these as in any Scrapy project.
FEEDS = {
    "output/%(name)s/%(run_time)s.jsonl": {
        "format": "jsonlines",
        "encoding": "utf-8",
        "item_classes": ["newscrawl.items.Story"],
    },
    "output/%(name)s/%(run_time)s.csv": {
        "format": "csv",
        "encoding": "utf-8",
        "item_classes": ["newscrawl.items.Story"],
    },
}
FEED_EXPORTERS = {"csv": "newscrawl.exporters.StoryCsvItemExporter"}
FEED_EXPORT_ENCODING = "utf-8"

# --- Engine ------------------------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
