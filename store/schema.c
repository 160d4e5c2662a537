/* The store's schema and its forward migrations. migrations[i] brings a
 * store from user_version i to i + 1. See docs/store.md. */
#include "store_internal.h"

const char *const bl__migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);\n"
    "CREATE TABLE partner(id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,\n"
    "  population INTEGER NOT NULL, population_year INTEGER,\n"
    "  rate_e4 INTEGER NOT NULL, emails TEXT NOT NULL DEFAULT '');\n"
    "CREATE TABLE library(id TEXT PRIMARY KEY, partner_id TEXT NOT NULL REFERENCES partner(id),\n"
    "  name TEXT NOT NULL);\n"
    "CREATE TABLE library_alias(alias TEXT PRIMARY KEY COLLATE NOCASE,\n"
    "  library_id TEXT NOT NULL REFERENCES library(id));\n"
    "CREATE TABLE library_ip_range(library_id TEXT NOT NULL REFERENCES library(id),\n"
    "  cidr TEXT NOT NULL);\n"
    "CREATE TABLE resource(id TEXT PRIMARY KEY, name TEXT NOT NULL, provider TEXT NOT NULL DEFAULT "
    "'',\n"
    "  kind TEXT NOT NULL, annual_cost_cents INTEGER NOT NULL DEFAULT 0,\n"
    "  url_pattern TEXT NOT NULL DEFAULT '', request_pattern TEXT NOT NULL DEFAULT '',\n"
    "  headline_metric TEXT NOT NULL DEFAULT 'Total_Item_Requests');\n"
    "CREATE TABLE resource_name(name TEXT PRIMARY KEY COLLATE NOCASE,\n"
    "  resource_id TEXT NOT NULL REFERENCES resource(id));\n"
    "CREATE TABLE forfait(id TEXT PRIMARY KEY, resource_id TEXT NOT NULL REFERENCES resource(id),\n"
    "  units INTEGER NOT NULL, start TEXT NOT NULL, end TEXT NOT NULL, metric TEXT NOT NULL,\n"
    "  monthly_cap INTEGER, per_patron_monthly_quota INTEGER,\n"
    "  alert_percent INTEGER NOT NULL DEFAULT 80);\n"
    "CREATE TABLE source(id INTEGER PRIMARY KEY, path TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,\n"
    "  format TEXT NOT NULL, report_id TEXT, family INTEGER NOT NULL,\n"
    "  provider TEXT NOT NULL DEFAULT '', period_begin TEXT, period_end TEXT,\n"
    "  rows_accepted INTEGER NOT NULL DEFAULT 0, rows_rejected INTEGER NOT NULL DEFAULT 0,\n"
    "  rows_unattributed INTEGER NOT NULL DEFAULT 0, lines_skipped INTEGER NOT NULL DEFAULT 0,\n"
    "  replaced_by INTEGER REFERENCES source(id), ingested_at TEXT NOT NULL,\n"
    "  size INTEGER);\n"
    /* usage: one row per source and roll-up cell. library_id/resource_id are
     * NULL when unattributed; institution and platform keep what the provider
     * wrote (for unattributed usage and for restatements). */
    "CREATE TABLE usage(source_id INTEGER NOT NULL REFERENCES source(id),\n"
    "  library_id TEXT, resource_id TEXT,\n"
    "  institution_id TEXT NOT NULL DEFAULT '', institution TEXT NOT NULL DEFAULT '',\n"
    "  platform TEXT NOT NULL DEFAULT '', database_name TEXT NOT NULL DEFAULT '',\n"
    "  month TEXT NOT NULL, metric TEXT NOT NULL,\n"
    "  access_method TEXT NOT NULL DEFAULT 'Regular', report_rank INTEGER NOT NULL,\n"
    "  value INTEGER NOT NULL);\n"
    "CREATE INDEX usage_by_month ON usage(month, metric);\n"
    "CREATE INDEX usage_by_source ON usage(source_id);\n"
    /* The restatement DELETE of aggregate/agg.c looks rows up by these:
     * without it a report of many institutions is quadratic (tests/reliability). */
    "CREATE INDEX usage_by_cell ON usage(platform, month, institution_id, institution);\n"
    "CREATE TABLE rejection(source_id INTEGER NOT NULL REFERENCES source(id),\n"
    "  line INTEGER NOT NULL, field TEXT, reason TEXT NOT NULL);\n"
    "CREATE INDEX rejection_by_source ON rejection(source_id);\n"
    /* Distinct users per library and month, as mergeable sketches (no identity). */
    "CREATE TABLE user_sketch(source_id INTEGER NOT NULL REFERENCES source(id),\n"
    "  library_id TEXT, month TEXT NOT NULL, sketch BLOB NOT NULL);\n"
    /* Per forfait's resource and month: patrons over the per-patron quota, counted
     * without identities, and the units their extra uses cost. */
    "CREATE TABLE quota_excess(source_id INTEGER NOT NULL REFERENCES source(id),\n"
    "  resource_id TEXT NOT NULL, month TEXT NOT NULL, quota INTEGER NOT NULL,\n"
    "  patrons INTEGER NOT NULL, extra_units INTEGER NOT NULL);\n"
    "CREATE TABLE mail_log(id INTEGER PRIMARY KEY, partner_id TEXT NOT NULL, period TEXT NOT "
    "NULL,\n"
    "  kind TEXT NOT NULL, recipient TEXT NOT NULL, message_id TEXT NOT NULL,\n"
    "  status TEXT NOT NULL, reply TEXT, sent_at TEXT NOT NULL);\n"
    "CREATE INDEX mail_log_by_report ON mail_log(period, kind, partner_id);\n"
    /* Counting once (DESIGN §4): for every cell, only the rows of the first
     * report family that carries it (PR < DR < TR < IR < R4 < logs). */
    "CREATE VIEW usage_effective AS\n"
    "SELECT library_id, resource_id,\n"
    "  CASE WHEN library_id IS NULL THEN institution_id ELSE '' END AS institution_id,\n"
    "  CASE WHEN library_id IS NULL THEN institution ELSE '' END AS institution,\n"
    "  CASE WHEN resource_id IS NULL THEN platform ELSE '' END AS platform,\n"
    "  CASE WHEN resource_id IS NULL THEN database_name ELSE '' END AS database_name,\n"
    "  month, metric, access_method, SUM(value) AS value\n"
    "FROM (SELECT u.*, MIN(report_rank) OVER (PARTITION BY\n"
    "        COALESCE(library_id, '~' || institution_id || '|' || institution),\n"
    "        COALESCE(resource_id, '~' || platform || '|' || database_name),\n"
    "        month, metric, access_method) AS best FROM usage u)\n"
    "WHERE report_rank = best\n"
    "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;\n",
    /* 1 -> 2: the rules of trust (docs/trust.md). Restatements no longer
     * delete: every source keeps its rows and `live` says which source wins
     * each restatement key; sources can be removed; content identity;
     * plausible Created dates; the log ledger. The source table is rebuilt
     * (its hash loses its UNIQUE for a partial index over sources not
     * removed); migrate() runs with foreign keys off, as SQLite asks. */
    "CREATE TABLE source_v2(id INTEGER PRIMARY KEY, path TEXT NOT NULL, hash TEXT NOT NULL,\n"
    "  content_hash TEXT, format TEXT NOT NULL, report_id TEXT, family INTEGER NOT NULL,\n"
    "  provider TEXT NOT NULL DEFAULT '', period_begin TEXT, period_end TEXT,\n"
    "  created TEXT, created_plausible INTEGER NOT NULL DEFAULT 0,\n"
    "  order_time TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),\n"
    "  complete INTEGER NOT NULL DEFAULT 1,\n"
    "  rows_accepted INTEGER NOT NULL DEFAULT 0, rows_rejected INTEGER NOT NULL DEFAULT 0,\n"
    "  rows_unattributed INTEGER NOT NULL DEFAULT 0, lines_skipped INTEGER NOT NULL DEFAULT 0,\n"
    "  replaced_by INTEGER, ingested_at TEXT NOT NULL, size INTEGER, removed_at TEXT,\n"
    "  log_lines INTEGER, log_events INTEGER, log_robot INTEGER, log_status INTEGER,\n"
    "  log_not_resource INTEGER, log_static INTEGER, log_unattributed INTEGER,\n"
    "  time_first INTEGER, time_last INTEGER);\n"
    "INSERT INTO source_v2(id, path, hash, format, report_id, family, provider, period_begin,\n"
    "  period_end, order_time, rows_accepted, rows_rejected, rows_unattributed, lines_skipped,\n"
    "  replaced_by, ingested_at, size)\n"
    "  SELECT id, path, hash, format, report_id, family, provider, period_begin, period_end,\n"
    "  ingested_at, rows_accepted, rows_rejected, rows_unattributed, lines_skipped,\n"
    "  replaced_by, ingested_at, size FROM source;\n"
    "DROP TABLE source;\n"
    "ALTER TABLE source_v2 RENAME TO source;\n"
    "CREATE UNIQUE INDEX source_hash ON source(hash) WHERE removed_at IS NULL;\n"
    "CREATE INDEX source_content ON source(content_hash) WHERE removed_at IS NULL;\n"
    "CREATE INDEX source_size ON source(size);\n"
    "ALTER TABLE usage ADD COLUMN live INTEGER NOT NULL DEFAULT 1;\n"
    "DROP INDEX usage_by_cell;\n"
    "CREATE INDEX usage_by_key ON usage(platform, month, metric, institution_id, institution);\n"
    /* The cells a source carries without certainty (a rejected row's names
     * and months): the source does not restate them. metric '' = every
     * metric of those names. */
    "CREATE TABLE shield(source_id INTEGER NOT NULL REFERENCES source(id),\n"
    "  institution_id TEXT NOT NULL, institution TEXT NOT NULL, platform TEXT NOT NULL,\n"
    "  month TEXT NOT NULL, metric TEXT NOT NULL DEFAULT '');\n"
    "CREATE INDEX shield_by_source ON shield(source_id);\n"
    /* Where unattributed log events came from: an IPv4 /24 or IPv6 /48,
     * never an address. */
    "CREATE TABLE unattributed_range(source_id INTEGER NOT NULL REFERENCES source(id),\n"
    "  range TEXT NOT NULL, events INTEGER NOT NULL);\n"
    "CREATE INDEX unattributed_range_by_source ON unattributed_range(source_id);\n"
    /* Per-patron use of a quota'd resource in a month, under a keyed
     * pseudonym of that month only (docs/logs.md says for how long). */
    "CREATE TABLE quota_use(source_id INTEGER NOT NULL REFERENCES source(id),\n"
    "  resource_id TEXT NOT NULL, month TEXT NOT NULL, metric TEXT NOT NULL,\n"
    "  pseudonym BLOB NOT NULL, uses INTEGER NOT NULL);\n"
    "CREATE INDEX quota_use_by_month ON quota_use(resource_id, month);\n"
    "CREATE INDEX quota_use_by_source ON quota_use(source_id);\n"
    /* Counting once over the live rows only; a value beyond BL_CELL_SUM_MAX
     * (only a store written before the bound could hold one) is ignored by
     * every read, so no sum can overflow and no read can fail. */
    "DROP VIEW usage_effective;\n"
    "CREATE VIEW usage_effective AS\n"
    "SELECT library_id, resource_id,\n"
    "  CASE WHEN library_id IS NULL THEN institution_id ELSE '' END AS institution_id,\n"
    "  CASE WHEN library_id IS NULL THEN institution ELSE '' END AS institution,\n"
    "  CASE WHEN resource_id IS NULL THEN platform ELSE '' END AS platform,\n"
    "  CASE WHEN resource_id IS NULL THEN database_name ELSE '' END AS database_name,\n"
    "  month, metric, access_method, SUM(value) AS value\n"
    "FROM (SELECT u.*, MIN(report_rank) OVER (PARTITION BY\n"
    "        COALESCE(library_id, '~' || institution_id || '|' || institution),\n"
    "        COALESCE(resource_id, '~' || platform || '|' || database_name),\n"
    "        month, metric, access_method) AS best FROM usage u\n"
    "      WHERE live = 1 AND value BETWEEN 0 AND 1000000000000)\n"
    "WHERE report_rank = best\n"
    "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;\n",
    /* SUSHI harvest (issue 14, docs/sushi.md): the endpoints of sushi.csv
     * (secrets only as references: env:NAME, file:PATH) and, per endpoint,
     * report and month, what the last harvest got. harvest outlives its
     * endpoint's row: removing an endpoint from sushi.csv keeps its history. */
    "CREATE TABLE sushi_endpoint(id TEXT PRIMARY KEY, url TEXT NOT NULL,\n"
    "  release INTEGER NOT NULL, customer_id TEXT NOT NULL,\n"
    "  requestor_ref TEXT NOT NULL DEFAULT '', api_key_ref TEXT NOT NULL DEFAULT '',\n"
    "  platform TEXT NOT NULL DEFAULT '', reports TEXT NOT NULL, library_id TEXT,\n"
    "  date_format TEXT NOT NULL);\n"
    "CREATE TABLE harvest(endpoint_id TEXT NOT NULL, report_id TEXT NOT NULL,\n"
    "  month TEXT NOT NULL, state TEXT NOT NULL, code INTEGER, message TEXT,\n"
    "  attempts INTEGER NOT NULL DEFAULT 0, last_attempt TEXT, next_retry TEXT,\n"
    "  source_id INTEGER, raw_path TEXT, raw_sha256 TEXT,\n"
    "  PRIMARY KEY(endpoint_id, report_id, month));\n",
    /* 3 -> 4: vendor profiles (docs/profiles.md), stored as written at
     * network import and read back at ingest. Their files' usage is in
     * `usage` (report_id = the profile id, family 15); a network-level
     * total has library_id '*' (BL_NETWORK_LEVEL). */
    "CREATE TABLE profile(id TEXT PRIMARY KEY, file TEXT NOT NULL,\n"
    "  resource_id TEXT NOT NULL, network_level INTEGER NOT NULL,\n"
    "  allocate TEXT NOT NULL DEFAULT 'none', text TEXT NOT NULL);\n",
    /* mail status (issue 15, docs/mail.md): the SMTP reply code of each
     * attempt; status is now 'sent', 'failed' (temporary: 4xx, no
     * connection; retried by the next run) or 'refused' (permanent: 5xx
     * to this recipient or message; not retried unless asked). */
    "ALTER TABLE mail_log ADD COLUMN code INTEGER;\n"
    "CREATE INDEX mail_log_by_recipient ON mail_log(partner_id, period, kind, recipient);\n",
    /* Distinct-user sketches merged per library and month once the month is
     * closed (docs/privacy.md): the merged row keeps one contributor's
     * source_id, and this table lists every source merged into it, so that
     * removing one of them drops the merged figure instead of keeping a
     * wrong one. ('' stands for unattributed usage.) */
    "CREATE TABLE user_sketch_merged(library_id TEXT NOT NULL, month TEXT NOT NULL,\n"
    "  source_id INTEGER NOT NULL REFERENCES source(id),\n"
    "  PRIMARY KEY(library_id, month, source_id));\n"
    "CREATE INDEX user_sketch_merged_by_source ON user_sketch_merged(source_id);\n",
    /* 6 -> 7 (issue 15, docs/network.md): the network's identity from
     * network.csv (one row; the logo's PNG bytes, so reports need not find
     * the network folder again), and the article a partner's name takes in
     * a sentence (partners.csv, optional; NULL: inferred). */
    "CREATE TABLE network_info(id INTEGER PRIMARY KEY CHECK (id = 1), name TEXT NOT NULL,\n"
    "  short_name TEXT NOT NULL DEFAULT '', logo BLOB, contact_email TEXT NOT NULL DEFAULT '',\n"
    "  website TEXT NOT NULL DEFAULT '');\n"
    "ALTER TABLE partner ADD COLUMN article TEXT;\n",
    /* 7 -> 8 (issue 18): a log's sketch of a closed month is merged into
     * the one row its library and month already have (store/log_store.c),
     * found by this index rather than by reading the table. */
    "CREATE INDEX user_sketch_by_cell ON user_sketch(month, library_id);\n",
    /* 8 -> 9 (issue 18): the restatement key's index holds the rows that
     * can be restated, those of reports (rank < 2000), not the logs'
     * (restatement never applies to them): each log row cost a fourth
     * B-tree insert for nothing, 8 % of storing daily logs. The queries on
     * it say report_rank < 2000 (store/restate.c, store/ledger.c,
     * store/names.c), which is what lets SQLite use a partial index. */
    "DROP INDEX usage_by_key;\n"
    "CREATE INDEX usage_by_key ON usage(platform, month, metric, institution_id, institution)\n"
    "  WHERE report_rank < 2000;\n",
    /* 9 -> 10: the same rows, in a form SQLite can narrow to the months a
     * query asks for. The view of schema 2 summed the rows of the best
     * rank in an aggregate over the window's subquery, and SQLite (3.40)
     * does not push a query's month range through an aggregate into the
     * subquery below it: every report query read and sorted the whole
     * usage table (1.8 s a query on 435 000 rows of daily logs). Here the
     * rows are summed per cell and rank first, the window finds each
     * cell's best rank over those sums, and the outer query only filters:
     * a range on month (a partition column) reaches usage_by_month. The
     * same cells (a cell's partition is a function of its output columns,
     * so the rows of one output cell and rank are one group) and the same
     * sums (docs/store.md). */
    "DROP VIEW usage_effective;\n"
    "CREATE VIEW usage_effective AS\n"
    "SELECT library_id, resource_id, institution_id, institution, platform, database_name,\n"
    "  month, metric, access_method, value\n"
    "FROM (SELECT library_id, resource_id,\n"
    "  CASE WHEN library_id IS NULL THEN institution_id ELSE '' END AS institution_id,\n"
    "  CASE WHEN library_id IS NULL THEN institution ELSE '' END AS institution,\n"
    "  CASE WHEN resource_id IS NULL THEN platform ELSE '' END AS platform,\n"
    "  CASE WHEN resource_id IS NULL THEN database_name ELSE '' END AS database_name,\n"
    "  month, metric, access_method, report_rank, SUM(value) AS value,\n"
    "  MIN(report_rank) OVER (PARTITION BY\n"
    "    COALESCE(library_id, '~' || institution_id || '|' || institution),\n"
    "    COALESCE(resource_id, '~' || platform || '|' || database_name),\n"
    "    month, metric, access_method) AS best\n"
    "  FROM usage WHERE live = 1 AND value BETWEEN 0 AND 1000000000000\n"
    "  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)\n"
    "WHERE report_rank = best;\n",
    /* 10 -> 11 (issue 18): usage_by_month on the month alone. Its metric
     * column (the metric's name, up to 30 bytes a row) made the index
     * 2.2 times the pages (587 against 266 for 61 000 rows) for a column
     * no range can seek on: a report reads every metric of its months
     * (usage_effective groups them all). Storing gen_log2's 120 daily
     * files (435 000 rows): 3-14 % less wall time, every round faster
     * (docs/bench.md, 2 December afternoon). */
    "DROP INDEX usage_by_month;\n"
    "CREATE INDEX usage_by_month ON usage(month);\n",
    /* 11 -> 12 (issue 18): `bilan ingest --one-source`, several access logs
     * read as one stream and stored as one source (docs/logs.md): the
     * source's path is its first file's, and this table lists them all in
     * the order read; a rejected line of another file than the first names
     * it in rejection.file (NULL: the source's path). */
    "CREATE TABLE source_file(source_id INTEGER NOT NULL REFERENCES source(id),\n"
    "  seq INTEGER NOT NULL, path TEXT NOT NULL, size INTEGER,\n"
    "  PRIMARY KEY(source_id, seq));\n"
    "ALTER TABLE rejection ADD COLUMN file TEXT;\n",
    /* 12 -> 13: whose data a source is (docs/trust.md, "Whose data is
     * missing"). one_institution = 1: every row is the institution its
     * header names (a library's own COUNTER report, or one read with
     * --library), so the source says nothing of the other libraries; a
     * library that sends such reports and lacks one for a month makes that
     * month partial. Sources stored before: a COUNTER report all of whose
     * rows are one institution (the header's is not kept apart from the
     * rows' ones; a consortium report of one member's rows is read so). */
    "ALTER TABLE source ADD COLUMN one_institution INTEGER NOT NULL DEFAULT 0;\n"
    "UPDATE source SET one_institution = 1\n"
    "  WHERE format IN ('counter4', 'counter5', 'counter5-json')\n"
    "  AND (SELECT COUNT(*) FROM (SELECT DISTINCT institution_id, institution FROM usage u\n"
    "    WHERE u.source_id = source.id)) = 1;\n",
    /* 13 -> 14: the months a library is a member of the network, both
     * included ('YYYY-MM', NULL: open). Outside them its own report is not
     * expected and a report of a period it was not a member of does not
     * list it (docs/network.md, "Members who join or leave"). */
    "ALTER TABLE library ADD COLUMN member_from TEXT;\n"
    "ALTER TABLE library ADD COLUMN member_until TEXT;\n",
};

const int bl__migration_count = sizeof bl__migrations / sizeof bl__migrations[0];
