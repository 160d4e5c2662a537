/* `bilan ingest FILE`: the ingest layer reads the file and feeds its
 * records to a sink that forwards them to the aggregate layer's roll-up
 * (COUNTER records) or log rules (hits, whose counts go to the roll-up);
 * then the store writes everything in one transaction. A file that fails
 * at any point leaves the store exactly as before (docs/architecture.md). */
#include "bilan/i18n.h"
#include "bilan/pipeline.h"
#include "bilan/profile.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The file's SHA-256, computed in a thread of its own while the file is
 * read when no earlier source has the same size (so it cannot be a
 * duplicate that hashing first would have spared reading). */
typedef struct hasher {
    pthread_t thread;
    bool started;
    const char *path;
    char hex[65];
    char *err;
    bl_status rc;
} hasher;

static void *hash_thread(void *p)
{
    hasher *h = p;
    h->rc = bl_sha256_file(h->path, h->hex, &h->err);
    return NULL;
}

static bl_status hasher_join(hasher *h)
{
    if (h->started) {
        pthread_join(h->thread, NULL);
        h->started = false;
    }
    return h->rc;
}

/* One file's journey: the sink the reader feeds. */
typedef struct job {
    bl_store *st;
    const bl_ingest_opts *opts;
    bl_names *names;
    bl_rollup *rollup;
    bl_log_network net;
    bl_hits *hits;
    bool begun;
} job;

/* A log: the rules get the network from the store and the robots list
 * from its file, and send their counts to the roll-up. */
static bl_status open_hits(job *j)
{
    bl_status rc = bl_store_log_network(j->st, &j->net);
    if (rc != BL_OK)
        return rc;
    const char *robots = j->opts->robots_path ? j->opts->robots_path : "";
    bl_status rrc = bl_robots_read(robots, &j->net.robots, &j->net.nrobots);
    char err[512] = "";
    /* A pattern of the store that does not compile is told before a missing
     * robots list. */
    rc = bl_hits_open(&j->net, j->names, bl_rollup_add, j->rollup, &j->hits, err, sizeof err);
    if (rc != BL_OK && rc != BL_NOMEM)
        return bl_store_fail(j->st, rc, "%s", err);
    if (rc == BL_OK && rrc == BL_NOINPUT)
        return bl_store_fail(j->st, BL_NOINPUT,
                             "cannot open the COUNTER robots list '%s' (set BILAN_DATA_DIR)",
                             robots);
    return rc != BL_OK ? rc : rrc;
}

static bl_status on_begin(void *ctx, const bl_file_info *info)
{
    job *j = ctx;
    if (j->begun)
        return BL_OK;
    j->begun = true;
    bl_status rc = bl_rollup_begin(j->rollup, info);
    if (rc == BL_OK && info->family == BL_FAM_LOG)
        rc = open_hits(j);
    return rc;
}

static bl_status on_count(void *ctx, const bl_count_rec *r)
{
    return bl_rollup_count(((job *)ctx)->rollup, r);
}

static bl_status on_count_run(void *ctx, bl_count_rec *r, const int *months, const int64_t *vals,
                              size_t n)
{
    return bl_rollup_count_run(((job *)ctx)->rollup, r, months, vals, n);
}

static bl_status on_hit(void *ctx, const bl_hit_rec *r)
{
    job *j = ctx;
    if (!j->hits)
        return BL_INTERNAL;
    bl_rollup_hit_seen(j->rollup);
    bl_status rc = bl_hits_add(j->hits, r);
    char reason[400];
    if (rc == BL_OK && bl_hits_limit(j->hits, reason, sizeof reason)) {
        bl_diag d = {BL_DIAG_ROW, NULL, r->line, "url", reason, NULL};
        bl_rollup_diag(j->rollup, &d);
    }
    return rc;
}

static void on_diag(void *ctx, const bl_diag *d)
{
    bl_rollup_diag(((job *)ctx)->rollup, d);
}

static bl_status on_end(void *ctx, const bl_file_end *e)
{
    job *j = ctx;
    if (j->hits)
        bl_hits_lines(j->hits, e->lines);
    return bl_rollup_end(j->rollup, e);
}

static void iso_utc(time_t t, char out[32])
{
    struct tm tmv;
    gmtime_r(&t, &tmv);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tmv);
}

/* Before the transaction: refusals and re-deliveries found once the file
 * is read. BL_OK with res->duplicate set when it is a re-delivery. */
static bl_status check_read(job *j, const char *path, bl_status rc, const char *err,
                            bl_ingest_result *res)
{
    bl_store *st = j->st;
    const bl_rollup_counts *c = bl_rollup_counts_of(j->rollup);
    res->rows_accepted = c->accepted;
    res->rows_rejected = c->rejected;
    res->rows_unattributed = c->unattributed;
    res->lines_skipped = c->skipped;
    const char *cap = bl_rollup_cap(j->rollup);
    if (!cap && j->hits)
        cap = bl_hits_cap(j->hits);
    if (rc == BL_RANGE && cap)
        return bl_store_fail(st, BL_DATA, "%s: %s: file refused, nothing stored", path, cap);
    if (rc == BL_RANGE)
        return bl_store_fail(st, rc, "%s: a cell adds up to more than %lld: file refused", path,
                             (long long)BL_CELL_SUM_MAX);
    if (rc != BL_OK && !err && *bl_store_errmsg(st)) {
        /* The sink failed in the store (a key file refused...): its own
         * message says why. */
        char why[1024];
        snprintf(why, sizeof why, "%s", bl_store_errmsg(st));
        return bl_store_fail(st, rc, "%s", why);
    }
    if (rc != BL_OK)
        return bl_store_fail(st, rc == BL_NOMEM ? BL_NOMEM : rc, "%s",
                             err ? err : bl_status_str(rc));
    if (j->opts->strict && res->rows_rejected > 0)
        return bl_store_fail(st, BL_DATA,
                             "%s: %ld row(s) rejected and --strict given: file refused", path,
                             res->rows_rejected);
    /* A file of which nothing could be read is refused, not recorded: it
     * can then be corrected and ingested again. */
    if (res->rows_accepted == 0 && res->rows_rejected > 0)
        return bl_store_fail(st, BL_DATA,
                             "%s: every row was rejected (%ld): file refused, nothing stored", path,
                             res->rows_rejected);
    return BL_OK;
}

/* The transaction: the file, then (logs) what the log rules keep. */
static bl_status write(job *j, const bl_new_source *src, bl_ingest_result *res)
{
    bl_store *st = j->st;
    bl_rollup_file f;
    bl_rollup_file_of(j->rollup, &f);
    bl_restate_counts rs = {0};
    bl_status rc = bl_store_begin(st);
    if (rc != BL_OK)
        return rc;
    rc = bl_store_write_file(st, j->rollup, src, &res->source_id, &rs);
    if (rc == BL_DUPLICATE)
        res->duplicate = true;
    if (rc == BL_OK && f.family != BL_FAM_LOG) {
        res->replaced_rows = rs.lost_rows;
        res->replaced_sources = rs.lost_sources;
        res->superseded_rows = rs.self_superseded;
        res->kept_rows = rs.kept_by_rejection;
        if (rs.self_superseded)
            bl_rollup_note(j->rollup,
                           "%lld cell(s) of this report are superseded by a report created later "
                           "(source #%lld): they are kept in the ledger, not counted",
                           rs.self_superseded, rs.winner_over_self);
        if (rs.kept_by_rejection)
            bl_rollup_note(j->rollup,
                           "%lld earlier cell(s) kept: this file's rows for them were rejected, "
                           "so it does not restate them",
                           rs.kept_by_rejection);
    }
    if (rc == BL_OK && j->hits) {
        int now = bl_store_now_month();
        if ((rc = bl_hits_finish(j->hits, now)) == BL_OK)
            rc = bl_store_write_log(st, j->hits, res->source_id, now);
        bl_hits_stats(j->hits, &res->log, &res->out_of_order);
        /* A log's accepted / unattributed are usage events (docs/logs.md). */
        res->rows_accepted = (long)res->log.events;
        res->rows_unattributed = (long)res->log.unattributed;
        bl_rollup_counts *c = bl_rollup_counts_mut(j->rollup);
        c->accepted = res->rows_accepted;
        c->unattributed = res->rows_unattributed;
        if (rc == BL_OK)
            rc = bl_store_source_counts(st, res->source_id, c);
    }
    if (rc == BL_OK)
        rc = bl_store_commit(st);
    if (rc != BL_OK) {
        bl_store_rollback(st);
        if (rc == BL_DUPLICATE)
            rc = BL_OK;
    }
    return rc;
}

/* The network's profiles, parsed again from the store (they were checked
 * at network import). */
typedef struct prof_set {
    bl_profile *p;
    size_t n, alloc;
    bl_store *st;
} prof_set;

static bl_status add_profile(void *ctx, const char *id, const char *file, const char *text,
                             size_t len)
{
    prof_set *ps = ctx;
    if (ps->n == ps->alloc) {
        size_t na = ps->alloc ? ps->alloc * 2 : 8;
        bl_profile *np = realloc(ps->p, na * sizeof *np);
        if (!np)
            return BL_NOMEM;
        ps->p = np, ps->alloc = na;
    }
    char err[512];
    bl_status rc = bl_profile_parse(id, file, text, len, &ps->p[ps->n], err, sizeof err);
    if (rc != BL_OK)
        return bl_store_fail(ps->st, rc, "stored profile %s: %s (run bilan network import)", id,
                             err);
    ps->n++;
    return BL_OK;
}

static void profiles_free(prof_set *ps)
{
    bl_profiles_free(ps->p, ps->n);
    *ps = (prof_set){0};
}

/* opts with the stored profiles, and the one --profile names (an unknown
 * id: BL_NOINPUT, as an unknown --partner). */
static bl_status with_profiles(bl_store *st, const bl_ingest_opts *opts, prof_set *ps,
                               bl_ingest_opts *o)
{
    *o = *opts;
    ps->st = st;
    bl_status rc = bl_store_profiles_each(st, add_profile, ps);
    if (rc != BL_OK)
        return rc;
    o->profiles = ps->p;
    o->nprofiles = ps->n;
    if (opts->profile_id) {
        for (size_t i = 0; i < ps->n && !o->profile; i++)
            if (strcmp(ps->p[i].id, opts->profile_id) == 0)
                o->profile = &ps->p[i];
        if (!o->profile)
            return bl_store_fail(st, BL_NOINPUT,
                                 "unknown profile '%s': the network has %zu (profiles/ID.ini, "
                                 "read by bilan network import)",
                                 opts->profile_id, ps->n);
    }
    return BL_OK;
}

static bl_status ingest_one(bl_store *st, const char *path, const char *provider,
                            const bl_ingest_opts *opts, bl_diag_fn diag, void *diag_ctx,
                            bl_ingest_result *res);

bl_status bl_pipeline_ingest(bl_store *st, const char *path, const char *provider,
                             const bl_ingest_opts *opts, bl_diag_fn diag, void *diag_ctx,
                             bl_ingest_result *res)
{
    memset(res, 0, sizeof *res);
    res->period_begin = res->period_end = -1;
    prof_set ps = {0};
    bl_ingest_opts o;
    bl_status rc = with_profiles(st, opts, &ps, &o);
    if (rc == BL_OK)
        rc = ingest_one(st, path, provider, &o, diag, diag_ctx, res);
    profiles_free(&ps);
    return rc;
}

static bl_status ingest_one(bl_store *st, const char *path, const char *provider,
                            const bl_ingest_opts *opts, bl_diag_fn diag, void *diag_ctx,
                            bl_ingest_result *res)
{
    memset(res, 0, sizeof *res);
    res->period_begin = res->period_end = -1;
    char *err = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return bl_store_fail(st, errno == ENOENT || errno == ENOTDIR ? BL_NOINPUT : BL_IO,
                             "cannot open '%s': %s", path, strerror(errno));
    hasher h = {.path = path, .rc = BL_OK};
    bl_status rc;
    if (bl_store_size_seen(st, (long long)sb.st_size)) {
        rc = h.rc = bl_sha256_file(path, h.hex, &h.err);
        if (rc != BL_OK) {
            bl_store_fail(st, rc, "%s", h.err ? h.err : _("cannot read file"));
            free(h.err);
            return rc;
        }
        if ((res->duplicate_of = bl_store_source_with(st, BL_HASH_FILE, h.hex)) != 0) {
            res->duplicate = true;
            return BL_OK;
        }
    } else if (pthread_create(&h.thread, NULL, hash_thread, &h) == 0) {
        h.started = true;
    } else {
        hash_thread(&h);
    }
    job j = {.st = st, .opts = opts};
    if ((rc = bl_store_names(st, &j.names)) != BL_OK)
        goto out;
    if (opts->library) { /* --library: a library of the network, or nothing is read */
        char inst[128];
        snprintf(inst, sizeof inst, "%s%s", BL_LIBRARY_INSTITUTION, opts->library);
        if (!bl_names_library(j.names, bl_sv_from(inst), bl_sv_from(""))) {
            rc = bl_store_fail(st, BL_DATA,
                               "%s: --library %s: no such library in the network (see 'bilan "
                               "network show libraries')",
                               path, opts->library);
            goto out;
        }
    }
    if (!(j.rollup = bl_rollup_new(j.names, path, diag, diag_ctx))) {
        rc = BL_NOMEM;
        goto out;
    }
    bl_sink sink = {&j, on_begin, on_count, on_hit, on_diag, on_end, on_count_run};
    rc = bl_ingest_file(path, opts, &sink, &err);
    if ((rc = check_read(&j, path, rc, err, res)) != BL_OK)
        goto out;
    bl_rollup_file f;
    bl_rollup_file_of(j.rollup, &f);
    snprintf(res->format, sizeof res->format, "%s", f.format ? f.format : "unknown");
    snprintf(res->report_id, sizeof res->report_id, "%s", f.report_id ? f.report_id : "");
    if (!provider)
        provider = f.created_by;
    /* The same content, maybe compressed or with other line ends. */
    if ((res->duplicate_of = bl_store_source_with(st, BL_HASH_CONTENT, f.content_hash)) != 0) {
        res->duplicate = true;
        goto out;
    }
    if (j.hits && (rc = bl_hits_flush(j.hits)) != BL_OK)
        goto out;
    if (j.hits && !opts->force) {
        char why[1024] = "";
        if ((rc = bl_store_log_overlap(st, j.hits, why, sizeof why)) != BL_OK) {
            bl_store_fail(st, rc, "%s; nothing stored (use --force if it is not a repeat)", why);
            goto out;
        }
    }
    if ((rc = hasher_join(&h)) != BL_OK) {
        bl_store_fail(st, rc, "%s", h.err ? h.err : _("cannot read file"));
        goto out;
    }
    if ((res->duplicate_of = bl_store_source_with(st, BL_HASH_FILE, h.hex)) != 0 ||
        (res->duplicate_of = bl_store_source_with(st, BL_HASH_CONTENT, f.content_hash)) != 0) {
        res->duplicate = true; /* arrived meanwhile */
        goto out;
    }
    bl_rollup_file_of(j.rollup, &f); /* the log's months are known once flushed */
    char now[32], soon[32];
    time_t t = time(NULL);
    iso_utc(t, now);
    iso_utc(t + 86400, soon); /* a provider's clock a few hours ahead is not implausible */
    bool is_log = f.family == BL_FAM_LOG;
    const char *why = NULL;
    bool plausible = !is_log && bl_created_plausible(f.created, f.max_month, soon, &why);
    /* A vendor export has no Created date: the later file wins, by rule
     * (docs/profiles.md), so that is no news. */
    if (!is_log && !plausible && f.family != BL_FAM_PROFILE)
        bl_rollup_note(j.rollup, "%s%s%s: the order of ingest decides its restatements", why,
                       f.created ? " " : "", f.created ? f.created : "");
    res->period_begin = f.period_begin;
    res->period_end = f.period_end;
    bl_new_source src = {path, h.hex, provider, (long long)sb.st_size, now, plausible};
    rc = write(&j, &src, res);
out:
    hasher_join(&h);
    free(h.err);
    free(err);
    bl_hits_free(j.hits);
    bl_log_network_release(&j.net);
    bl_rollup_free(j.rollup);
    bl_names_free(j.names);
    return rc;
}
