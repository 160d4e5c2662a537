/* `bilan ingest FILE`: the ingest layer reads the file and feeds its
 * records to a sink that forwards them to the aggregate layer's roll-up
 * (COUNTER records) or log rules (hits, whose counts go to the roll-up);
 * then the store writes everything in one transaction. A file that fails
 * at any point leaves the store exactly as before (docs/architecture.md). */
#include "bilan/i18n.h"
#include "bilan/pipeline.h"
#include "bilan/profile.h"

#include <errno.h>
#include <limits.h>
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
    const char *const *paths; /* one file, or a --one-source set's files in order */
    size_t n;
    char hex[65];
    char *err;
    bl_status rc;
} hasher;

static void *hash_thread(void *p)
{
    hasher *h = p;
    h->rc = bl_sha256_files(h->paths, h->n, h->hex, &h->err);
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

/* The access-log rules of one command, shared by its logs so that the
 * double-click and session state goes on from a file to the next
 * (docs/logs.md, "Several files in one command"); opened with the first
 * log. */
typedef struct logset {
    bl_names *names; /* the rules' own (they borrow them for their life) */
    bl_log_network net;
    bl_hits *hits;
} logset;

typedef struct run run;
static void wait_store(run *r);

/* One file's journey: the sink the reader feeds, then what its storing
 * needs (a log may wait for the next file to be read: pending). */
typedef struct job {
    run *run;
    bl_store *st; /* the command's, or the writing thread's (a log stored in the background) */
    const bl_ingest_opts *opts;
    logset *logs;
    const char *path, *provider;
    bl_names *names;
    bl_rollup *rollup;
    bl_hits *hits; /* logs->hits once this file's hits went to it */
    bool detached; /* hits: this file's results alone (bl_hits_detach), freed with it */
    bool flushed;  /* its counts went to the roll-up */
    bool begun;
    long long size;
    /* --one-source: the set's files in the order read (opts->set), their
     * sizes; else the file alone. */
    const char *const *files;
    size_t nfiles;
    long long *sizes;
    size_t set_k;       /* the file of the set the hits now come from */
    bool set_next;      /* its first hit not yet seen */
    int64_t set_latest; /* the latest time of the hits so far */
    hasher h;
    char *err;
    size_t index; /* in the command */
    bl_ingest_result res;
    /* res.doubles: the entries, and each one's memory (its months, then
     * its strings) */
    bl_double_count *dbl;
    void **dbl_mem;
    size_t ndbl, dbl_alloc;
} job;

/* A log: the rules get the network from the store and the robots list
 * from its file, and send their counts to the roll-up. A later log of the
 * same command goes on with them. */
static bl_status open_hits(job *j)
{
    logset *ls = j->logs;
    bl_status rc;
    if (ls->hits) {
        if ((rc = bl_hits_next_file(ls->hits, bl_rollup_add, j->rollup)) == BL_OK)
            j->hits = ls->hits;
        return rc;
    }
    if (!ls->names && (rc = bl_store_names(j->st, &ls->names)) != BL_OK)
        return rc;
    if ((rc = bl_store_log_network(j->st, &ls->net)) != BL_OK)
        return rc;
    const char *robots = j->opts->robots_path ? j->opts->robots_path : "";
    bl_status rrc = bl_robots_read(robots, &ls->net.robots, &ls->net.nrobots);
    char err[512] = "";
    /* A pattern of the store that does not compile is told before a missing
     * robots list. */
    rc = bl_hits_open(&ls->net, ls->names, bl_rollup_add, j->rollup, &ls->hits, err, sizeof err);
    if (rc != BL_OK && rc != BL_NOMEM) {
        bl_log_network_release(&ls->net);
        return bl_store_fail(j->st, rc, "%s", err);
    }
    if (rc == BL_OK && rrc == BL_NOINPUT) {
        bl_hits_free(ls->hits);
        ls->hits = NULL;
        bl_log_network_release(&ls->net);
        return bl_store_fail(j->st, BL_NOINPUT,
                             "cannot open the COUNTER robots list '%s' (set BILAN_DATA_DIR)",
                             robots);
    }
    if (rc == BL_OK && rrc == BL_OK)
        j->hits = ls->hits;
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

static void on_diag(void *ctx, const bl_diag *d);

static void when(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tmv;
    gmtime_r(&tt, &tmv);
    strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tmv);
}

/* A --one-source set's files must follow each other in time: a file whose
 * first hit is earlier than the latest of the files before it, beyond the
 * rules' window, overlaps them (two servers' logs of the same days) and
 * would be counted as one disordered stream, its double clicks missed;
 * the set is refused, as an overlap between separate files is. */
static bl_status set_follows(job *j, const bl_hit_rec *r)
{
    const unsigned long *starts = j->opts->set_starts;
    while (j->set_k + 1 < j->nfiles) {
        unsigned long b = __atomic_load_n(&starts[j->set_k + 1], __ATOMIC_ACQUIRE);
        if (b == ULONG_MAX || r->line <= b)
            break;
        j->set_k++;
        j->set_next = true;
    }
    if (j->set_next) {
        j->set_next = false;
        if (r->time < j->set_latest - BL_LOG_WINDOW) {
            char a[32], b[32];
            when(r->time, a);
            when(j->set_latest, b);
            return bl_store_fail(j->st, BL_DATA,
                                 "%s: its lines begin at %s, before the end of the files read "
                                 "before it (%s): the files overlap in time (two servers' logs?) "
                                 "and --one-source reads files that follow each other; nothing "
                                 "stored (give them without --one-source)",
                                 j->files[j->set_k], a, b);
        }
    }
    if (r->time > j->set_latest)
        j->set_latest = r->time;
    return BL_OK;
}

static bl_status on_hit(void *ctx, const bl_hit_rec *r)
{
    job *j = ctx;
    if (!j->hits)
        return BL_INTERNAL;
    bl_status rc;
    if (j->nfiles > 1 && (rc = set_follows(j, r)) != BL_OK)
        return rc;
    bl_rollup_hit_seen(j->rollup);
    rc = bl_hits_add(j->hits, r);
    char reason[400];
    if (rc == BL_OK && bl_hits_limit(j->hits, reason, sizeof reason)) {
        bl_diag d = {BL_DIAG_ROW, j->path, r->line, "url", reason, NULL};
        on_diag(j, &d);
    }
    return rc;
}

/* A line of a --one-source set is said with its file and its line there. */
static void on_diag(void *ctx, const bl_diag *d)
{
    job *j = ctx;
    if (j->nfiles > 1 && d->line && d->level != BL_DIAG_FILE) {
        bl_diag m = *d;
        size_t k = bl_source_locate(j->opts->set_starts, j->nfiles, d->line, &m.line);
        m.path = j->files[k];
        bl_rollup_diag(j->rollup, &m);
        return;
    }
    bl_rollup_diag(j->rollup, d);
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
    res->rows_zero = c->zeros;
    res->rows_rejected = c->rejected;
    res->rows_unattributed = c->unattributed;
    res->lines_skipped = c->skipped;
    const char *cap = bl_rollup_cap(j->rollup);
    if (!cap && j->hits)
        cap = bl_hits_cap(j->hits);
    if (rc == BL_RANGE && cap)
        return bl_store_fail(st, BL_DATA, "%s: %s", path, cap);
    if (rc == BL_RANGE)
        return bl_store_fail(st, rc, "%s: a cell adds up to more than %s", path,
                             BL_NUM(BL_CELL_SUM_MAX));
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
        return bl_store_fail(st, BL_DATA, "%s: %ld row(s) rejected and --strict given", path,
                             res->rows_rejected);
    /* A file of which nothing could be read is refused, not recorded: it
     * can then be corrected and ingested again (rows of 0 alone, beside the
     * rejected ones, are not what the file was sent for). */
    if (res->rows_accepted == res->rows_zero && res->rows_rejected > 0)
        return bl_store_fail(st, BL_DATA, "%s: every row was rejected (%ld)", path,
                             res->rows_rejected);
    return BL_OK;
}

/* Forgets the double counts kept: the transaction failed, or the job ends. */
static void doubles_clear(job *j)
{
    for (size_t i = 0; i < j->ndbl; i++)
        free(j->dbl_mem[i]);
    j->ndbl = 0;
    j->res.doubles = NULL;
    j->res.ndoubles = 0;
}

/* Keeps a copy of d (bl_double_count_fn): the store's strings are the
 * statement's, the done callback comes after the transaction. */
static bl_status keep_double(void *ctx, const bl_double_count *d)
{
    job *j = ctx;
    if (j->ndbl == j->dbl_alloc) {
        size_t na = j->dbl_alloc ? 2 * j->dbl_alloc : 4;
        bl_double_count *nd = realloc(j->dbl, na * sizeof *nd);
        if (!nd)
            return BL_NOMEM;
        j->dbl = nd;
        void **nm = realloc(j->dbl_mem, na * sizeof *nm);
        if (!nm)
            return BL_NOMEM;
        j->dbl_mem = nm, j->dbl_alloc = na;
    }
    const char *s[4] = {d->other_path, d->library_id, d->name, d->other_name};
    size_t len[4], size = d->nmonths * sizeof *d->months;
    for (int k = 0; k < 4; k++)
        size += (len[k] = strlen(s[k]) + 1);
    char *mem = malloc(size);
    if (!mem)
        return BL_NOMEM;
    int *months = (int *)(void *)mem;
    memcpy(months, d->months, d->nmonths * sizeof *d->months);
    char *p = mem + d->nmonths * sizeof *d->months, *c[4];
    for (int k = 0; k < 4; k++) {
        c[k] = memcpy(p, s[k], len[k]);
        p += len[k];
    }
    j->dbl_mem[j->ndbl] = mem;
    j->dbl[j->ndbl++] = (bl_double_count){d->other_id, c[0], c[1], c[2], c[3], months, d->nmonths};
    return BL_OK;
}

/* The names of a file's rows no library or no resource took, the first few
 * (bl_unmatched_fn): said in a note, so that the project lead sees at
 * once which name to add to an alias (until the night of 3 December 2026 the summary
 * said « 30 unattributed » and no more). */
#define UNMATCHED_SHOWN 3
typedef struct unmatched {
    bl_buf names[2]; /* [1] libraries, [0] resources */
    long long rows[2];
    int shown[2], more[2];
} unmatched;

static bl_status on_unmatched(void *ctx, bool library, const char *name, long long values)
{
    unmatched *u = ctx;
    u->rows[library] += values;
    if (u->shown[library] == UNMATCHED_SHOWN) {
        u->more[library]++;
        return BL_OK;
    }
    u->shown[library]++;
    return bl_buf_printf(&u->names[library], "%s%s", u->names[library].len ? "; " : "",
                         *name ? name : "-");
}

static bl_status note_unmatched(job *j, long long sid)
{
    unmatched u = {{BL_BUF_INIT(1u << 12), BL_BUF_INIT(1u << 12)}, {0, 0}, {0, 0}, {0, 0}};
    bl_status rc = bl_store_source_unmatched(j->st, sid, on_unmatched, &u);
    for (int k = 1; k >= 0 && rc == BL_OK; k--) {
        if (!u.rows[k])
            continue;
        char more[64] = "";
        if (u.more[k])
            snprintf(more, sizeof more, _("; and %d more"), u.more[k]);
        if (k)
            bl_rollup_note(j->rollup,
                           "names that match no library of the network: %s%s (if one is a "
                           "library of the network, add that name to its aliases in "
                           "libraries.csv, then run bilan network import)",
                           bl_buf_cstr(&u.names[k]), more);
        else
            bl_rollup_note(j->rollup,
                           "names that match no resource of the network: %s%s (if one is a "
                           "resource of the network, add that name to its counter_names in "
                           "resources.csv, then run bilan network import)",
                           bl_buf_cstr(&u.names[k]), more);
    }
    bl_buf_release(&u.names[0]);
    bl_buf_release(&u.names[1]);
    return rc;
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
        /* A correction that writes a library's name otherwise is counted
         * beside the file it corrects: said, not decided (docs/trust.md). */
        rc = bl_store_double_counts(st, res->source_id, keep_double, j);
        if (rc == BL_OK)
            rc = note_unmatched(j, res->source_id);
        if (rc == BL_OK) {
            res->doubles = j->dbl;
            res->ndoubles = j->ndbl;
        }
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
        doubles_clear(j);
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
        if (!o->profile) {
            /* Its profiles named, so that a typo can be seen at once. */
            char ids[512] = "";
            for (size_t i = 0; i < ps->n; i++) {
                size_t used = strlen(ids);
                if (used + strlen(ps->p[i].id) + 8 < sizeof ids)
                    snprintf(ids + used, sizeof ids - used, "%s%s", used ? ", " : "", ps->p[i].id);
            }
            return bl_store_fail(st, BL_NOINPUT,
                                 "unknown profile '%s': the network has %zu (%s; profiles/ID.ini, "
                                 "read by bilan network import)",
                                 opts->profile_id, ps->n, ps->n ? ids : "-");
        }
    }
    return BL_OK;
}

/* ---- one file: reading, then storing ------------------------------------------------ */

static void job_free(job *j)
{
    if (!j)
        return;
    doubles_clear(j);
    free(j->dbl);
    free(j->dbl_mem);
    hasher_join(&j->h);
    if (j->detached)
        bl_hits_free(j->hits);
    free(j->h.err);
    free(j->err);
    free(j->sizes);
    bl_rollup_free(j->rollup);
    bl_names_free(j->names);
    free(j);
}

/* Reads the file and makes every check that can refuse it. BL_OK with
 * j->res.duplicate for a re-delivery (nothing to store). */
static bl_status job_read(job *j, bl_diag_fn diag, void *diag_ctx)
{
    bl_store *st = j->st;
    const bl_ingest_opts *opts = j->opts;
    const char *path = j->path;
    bl_ingest_result *res = &j->res;
    memset(res, 0, sizeof *res);
    res->period_begin = res->period_end = -1;
    j->files = opts->nset > 1 ? opts->set : &j->path;
    j->nfiles = res->files = opts->nset > 1 ? opts->nset : 1;
    if (!(j->sizes = calloc(j->nfiles, sizeof *j->sizes)))
        return BL_NOMEM;
    for (size_t i = 0; i < j->nfiles; i++) {
        struct stat sb;
        if (stat(j->files[i], &sb) != 0)
            return bl_store_fail(st, errno == ENOENT || errno == ENOTDIR ? BL_NOINPUT : BL_IO,
                                 "cannot open '%s': %s", j->files[i], strerror(errno));
        j->size += j->sizes[i] = (long long)sb.st_size;
    }
    hasher *h = &j->h;
    *h = (hasher){.paths = j->files, .n = j->nfiles, .rc = BL_OK};
    bl_status rc;
    if (bl_store_size_seen(st, j->size)) {
        rc = h->rc = bl_sha256_files(j->files, j->nfiles, h->hex, &h->err);
        if (rc != BL_OK)
            return bl_store_fail(st, rc, "%s", h->err ? h->err : _("cannot read file"));
        if ((res->duplicate_of = bl_store_source_with(st, BL_HASH_FILE, h->hex)) != 0) {
            res->duplicate = true;
            return BL_OK;
        }
    } else if (pthread_create(&h->thread, NULL, hash_thread, h) == 0) {
        h->started = true;
    } else {
        hash_thread(h);
    }
    if ((rc = bl_store_names(st, &j->names)) != BL_OK)
        return rc;
    if (opts->library) { /* --library: a library of the network, or nothing is read */
        char inst[128];
        snprintf(inst, sizeof inst, "%s%s", BL_LIBRARY_INSTITUTION, opts->library);
        if (!bl_names_library(j->names, bl_sv_from(inst), bl_sv_from("")))
            return bl_store_fail(st, BL_DATA,
                                 "%s: --library %s: no such library in the network (see 'bilan "
                                 "network show libraries')",
                                 path, opts->library);
    }
    if (!(j->rollup = bl_rollup_new(j->names, path, diag, diag_ctx)))
        return BL_NOMEM;
    bl_sink sink = {j, on_begin, on_count, on_hit, on_diag, on_end, on_count_run};
    if (opts->progress_file)
        opts->progress_file(opts->progress_ctx, path);
    rc = bl_ingest_file(path, opts, &sink, &j->err);
    /* The log stored in the background meanwhile is committed before the
     * checks below look in the store for this file's twins and overlaps. */
    wait_store(j->run);
    if ((rc = check_read(j, path, rc, j->err, res)) != BL_OK)
        return rc;
    bl_rollup_file f;
    bl_rollup_file_of(j->rollup, &f);
    snprintf(res->format, sizeof res->format, "%s", f.format ? f.format : "unknown");
    snprintf(res->report_id, sizeof res->report_id, "%s", f.report_id ? f.report_id : "");
    if (!j->provider)
        j->provider = f.created_by;
    /* The same content, maybe compressed or with other line ends. */
    if ((res->duplicate_of = bl_store_source_with(st, BL_HASH_CONTENT, f.content_hash)) != 0) {
        res->duplicate = true;
        return BL_OK;
    }
    if (j->hits && !opts->force) {
        char why[1024] = "";
        if ((rc = bl_store_log_overlap(st, j->hits, why, sizeof why)) != BL_OK)
            return bl_store_fail(st, rc, "%s (use --force if it is not a repeat)", why);
    }
    if ((rc = hasher_join(h)) != BL_OK)
        return bl_store_fail(st, rc, "%s", h->err ? h->err : _("cannot read file"));
    if ((res->duplicate_of = bl_store_source_with(st, BL_HASH_FILE, h->hex)) != 0 ||
        (res->duplicate_of = bl_store_source_with(st, BL_HASH_CONTENT, f.content_hash)) != 0)
        res->duplicate = true; /* arrived meanwhile */
    return BL_OK;
}

/* The transaction of a file read and checked (a log: once its counts are
 * final, with the rules' focus on it). */
static bl_status job_store(job *j)
{
    bl_ingest_result *res = &j->res;
    bl_status rc;
    if (j->hits && !j->flushed && (rc = bl_hits_flush(j->hits)) != BL_OK)
        return rc;
    bl_rollup_file f;
    bl_rollup_file_of(j->rollup, &f); /* the log's months are known once flushed */
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
        /* (the date came last, « … qu'il couvre 2025-02-20T00:00:00Z », until
         * 3 December 2026) */
        bl_rollup_note(j->rollup, "%s%s%s%s: the order of ingest decides its restatements", why,
                       f.created ? " (Created " : "", f.created ? f.created : "",
                       f.created ? ")" : "");
    res->period_begin = f.period_begin;
    res->period_end = f.period_end;
    bl_new_source src = {j->path,  j->h.hex, j->provider,
                         j->size,  now,      plausible,
                         j->files, j->sizes, j->nfiles > 1 ? j->nfiles : 0};
    return write(j, &src, res);
}

/* ---- the files of one command ------------------------------------------------------ */

struct run {
    bl_store *st;
    const bl_ingest_opts *opts;
    logset logs;
    job **pend; /* logs read, not yet stored, oldest first (the rules' pending files) */
    size_t npend;
    bl_ingest_done_fn done;
    void *done_ctx;
    bl_status worst;
    /* The next file of the command (when a log), read ahead while the
     * files before it are stored: next_path, and the reading once begun. */
    const char *next_path;
    size_t next_index;
    bl_log_ahead *ahead;
    /* The log stored in the background (writer), on a connection of its
     * own (wst, opened with the first), while the rules go on with the
     * next file: one at a time, said in the command's order. */
    bl_store *wst;
    bool wst_failed;
    pthread_t writer;
    job *wjob;
    bl_status wrc;
};

static void finish_job(run *r, job *j, bl_status rc);

/* The background store, if any, ended and said: its summary line (or its
 * failure, in the command's handle for the caller to read) before any
 * later file's. */
static void wait_store(run *r)
{
    job *j = r->wjob;
    if (!j)
        return;
    pthread_join(r->writer, NULL);
    r->wjob = NULL;
    bl_status rc = r->wrc;
    j->st = r->st;
    if (rc == BL_OK) {
        finish_job(r, j, rc);
        return;
    }
    /* Its message goes through the command's handle, which may hold the
     * current file's: kept and put back. */
    char *mine = strdup(bl_store_errmsg(r->st));
    bl_store_fail(r->st, rc, "%s", bl_store_errmsg(r->wst));
    finish_job(r, j, rc);
    if (mine)
        bl_store_fail(r->st, rc, "%s", mine);
    free(mine);
}

static bl_status job_store(job *j);

static void *writer_thread(void *p)
{
    run *r = p;
    r->wrc = job_store(r->wjob);
    return NULL;
}

/* Stores j (a log, flushed and detached) in the background; false when it
 * cannot be (then the caller stores it). */
static bool store_background(run *r, job *j)
{
    wait_store(r);
    if (!r->wst && !r->wst_failed) {
        char *err = NULL;
        if (bl_store_open(bl_store_path(r->st), &r->wst, &err) != BL_OK)
            r->wst_failed = true;
        free(err);
    }
    if (!r->wst)
        return false;
    j->st = r->wst;
    r->wjob = j;
    if (pthread_create(&r->writer, NULL, writer_thread, r) != 0) {
        r->wjob = NULL;
        j->st = r->st;
        return false;
    }
    return true;
}

static void finish_job(run *r, job *j, bl_status rc)
{
    /* A file stored in the background before this one is said first. */
    wait_store(r);
    if (rc != BL_OK && r->worst == BL_OK)
        r->worst = rc;
    if (r->done)
        r->done(r->done_ctx, j->index, j->path, rc, &j->res);
    job_free(j);
}

/* Stores the oldest pending logs whose counts are final (all with all). */
static void store_pending(run *r, bool all)
{
    bl_hits *h = r->logs.hits;
    while (r->npend && (all || bl_hits_oldest_final(h))) {
        job *j = r->pend[0];
        memmove(r->pend, r->pend + 1, (r->npend - 1) * sizeof *r->pend);
        r->npend--;
        bl_hits_focus(h, true);
        /* Its counts go to its roll-up here (they name the rules' cells);
         * then its results leave the rules, to be stored by another thread
         * while this one reads the next file. */
        bl_status rc = bl_hits_flush(h);
        j->flushed = true;
        bl_hits *v = rc == BL_OK ? bl_hits_detach(h) : NULL;
        if (v) {
            j->hits = v;
            j->detached = true;
            if (store_background(r, j))
                continue;
        }
        wait_store(r);
        if (rc == BL_OK)
            rc = job_store(j);
        if (!v)
            bl_hits_pop(h);
        finish_job(r, j, rc);
    }
    if (all)
        wait_store(r);
}

/* A later log of the command whose hits overlap those of one still
 * pending: refused as an overlap with the store would be. */
static bl_status pending_overlap(run *r, job *j)
{
    size_t at;
    char rid[256];
    if (r->opts->force || !bl_hits_overlap_pending(j->hits, &at, rid, sizeof rid) || at >= r->npend)
        return BL_OK;
    return bl_store_fail(r->st, BL_DATA,
                         "its hits overlap those of '%s', given in the same command, on resource "
                         "'%s': the same hits would be counted twice (use --force if it is not a "
                         "repeat)",
                         r->pend[at]->path, rid);
}

static void run_one(run *r, size_t index, const char *path, const char *provider, bl_diag_fn diag,
                    void *diag_ctx)
{
    job *j = calloc(1, sizeof *j);
    if (!j) {
        if (r->done) {
            bl_ingest_result res = {.period_begin = -1, .period_end = -1};
            bl_store_fail(r->st, BL_NOMEM, "%s", bl_status_str(BL_NOMEM));
            r->done(r->done_ctx, index, path, BL_NOMEM, &res);
        }
        if (r->worst == BL_OK)
            r->worst = BL_NOMEM;
        return;
    }
    *j = (job){.run = r,
               .st = r->st,
               .opts = r->opts,
               .logs = &r->logs,
               .path = path,
               .provider = provider,
               .index = index};
    bl_status rc = job_read(j, diag, diag_ctx);
    /* This file is read: the next one can be, on the other core, while
     * this one (or the logs before it) is stored. Its reading thread began
     * it as it reached this file's end, unless this file ended first. */
    if (r->next_path && !r->ahead)
        r->ahead = bl_log_read_ahead(r->next_path, r->opts);
    if (rc == BL_OK && j->hits && !j->res.duplicate)
        rc = pending_overlap(r, j);
    if (j->hits && (rc != BL_OK || j->res.duplicate)) {
        /* Its lines are forgotten, and what they changed in the pending
         * files before it is undone: those are final now. */
        bl_hits_abandon(j->hits);
        j->hits = NULL;
        store_pending(r, true);
        finish_job(r, j, rc);
        return;
    }
    if (rc != BL_OK || j->res.duplicate || !j->hits) {
        wait_store(r);
        if (rc == BL_OK && !j->res.duplicate)
            rc = job_store(j);
        finish_job(r, j, rc);
        return;
    }
    r->pend[r->npend++] = j;
    store_pending(r, false);
}
typedef struct peeked {
    size_t index;
    bool log;
    int64_t first;
} peeked;

static int by_time(const void *pa, const void *pb)
{
    const peeked *a = pa, *b = pb;
    if (a->first != b->first)
        return a->first < b->first ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Files given twice in one command, the same file or the same bytes under
 * another name: rep[i] is the index of the first, or i. A repeat is skipped
 * before anything is read, as a file already ingested is, so that the logs
 * before and after it still follow each other (refused once read, it
 * would end their chain: docs/logs.md). SHA-256 only for equal sizes. */
static bl_status find_repeats(const char *const *paths, size_t n, size_t *rep)
{
    struct stat *sb = calloc(n ? n : 1, sizeof *sb);
    bool *ok = calloc(n ? n : 1, sizeof *ok);
    char(*hex)[65] = calloc(n ? n : 1, sizeof *hex);
    if (!sb || !ok || !hex) {
        free(sb), free(ok), free(hex);
        return BL_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        rep[i] = i;
        ok[i] = stat(paths[i], &sb[i]) == 0 && S_ISREG(sb[i].st_mode);
    }
    for (size_t i = 1; i < n; i++) {
        for (size_t k = 0; k < i && rep[i] == i && ok[i]; k++) {
            if (!ok[k] || rep[k] != k || sb[k].st_size != sb[i].st_size)
                continue;
            bool same = sb[k].st_dev == sb[i].st_dev && sb[k].st_ino == sb[i].st_ino;
            if (!same) {
                char *err = NULL;
                if (!hex[k][0] && bl_sha256_file(paths[k], hex[k], &err) != BL_OK)
                    hex[k][0] = 0;
                free(err), err = NULL;
                if (!hex[i][0] && bl_sha256_file(paths[i], hex[i], &err) != BL_OK)
                    hex[i][0] = 0;
                free(err);
                same = hex[k][0] && strcmp(hex[k], hex[i]) == 0;
            }
            if (same)
                rep[i] = k;
        }
    }
    free(sb), free(ok), free(hex);
    return BL_OK;
}

bl_status bl_pipeline_ingest_files(bl_store *st, const char *const *paths, size_t n,
                                   const char *provider, const bl_ingest_opts *opts,
                                   bl_diag_fn diag, void *const *diag_ctx, bl_ingest_done_fn done,
                                   void *done_ctx)
{
    prof_set ps = {0};
    bl_ingest_opts o;
    run r = {.st = st, .opts = &o, .done = done, .done_ctx = done_ctx};
    peeked *order = NULL;
    size_t *rep = NULL;
    bl_status rc = with_profiles(st, opts, &ps, &o);
    if (rc != BL_OK) {
        /* Every file fails alike (an unknown --profile). */
        for (size_t i = 0; i < n && done; i++) {
            bl_ingest_result res = {.period_begin = -1, .period_end = -1};
            done(done_ctx, i, paths[i], rc, &res);
        }
        goto out;
    }
    if (!(order = calloc(n ? n : 1, sizeof *order)) ||
        !(r.pend = calloc(n ? n : 1, sizeof *r.pend)) || !(rep = calloc(n ? n : 1, sizeof *rep)) ||
        find_repeats(paths, n, rep) != BL_OK) {
        rc = BL_NOMEM;
        goto out;
    }
    /* The logs in time order, by their first line, in the places the
     * command gave logs (other files keep theirs): a later day's file is
     * read after the day before, whatever the names (access.log.2.gz,
     * access.log.10.gz). */
    size_t nlog = 0;
    for (size_t i = 0; i < n; i++) {
        order[i].index = i;
        order[i].log = n > 1 && rep[i] == i && bl_log_peek_time(paths[i], &o, &order[i].first);
        nlog += order[i].log;
    }
    if (nlog > 1) {
        peeked *logs = malloc(nlog * sizeof *logs);
        if (!logs) {
            rc = BL_NOMEM;
            goto out;
        }
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (order[i].log)
                logs[k++] = order[i];
        qsort(logs, nlog, sizeof *logs, by_time);
        k = 0;
        for (size_t i = 0; i < n; i++)
            if (order[i].log)
                order[i] = logs[k++];
        free(logs);
    }
    for (size_t i = 0; i < n; i++) {
        size_t x = order[i].index;
        if (rep[x] != x) {
            bl_ingest_result res = {.duplicate = true,
                                    .repeat_of = paths[rep[x]],
                                    .period_begin = -1,
                                    .period_end = -1};
            if (done)
                done(done_ctx, x, paths[x], BL_OK, &res);
            continue;
        }
        bl_log_ahead *mine = r.ahead && r.next_index == x ? r.ahead : NULL;
        if (r.ahead && !mine)
            bl_log_ahead_free(r.ahead);
        r.ahead = NULL;
        r.next_path = NULL;
        size_t nx = i + 1;
        while (nx < n && rep[order[nx].index] != order[nx].index)
            nx++;
        if (nx < n && order[nx].log) {
            r.next_index = order[nx].index;
            r.next_path = paths[r.next_index];
        }
        o.ahead = mine;
        o.next_path = r.next_path;
        o.next_opts = &o;
        o.next_out = &r.ahead;
        run_one(&r, x, paths[x], provider, diag, diag_ctx ? diag_ctx[x] : NULL);
        o.ahead = NULL;
        o.next_path = NULL;
        bl_log_ahead_free(mine);
    }
    bl_log_ahead_free(r.ahead);
    r.ahead = NULL;
    bl_log_spare_free();
    if (r.logs.hits)
        bl_hits_reset(r.logs.hits);
    store_pending(&r, true);
    wait_store(&r);
    rc = r.worst;
out:
    bl_store_close(r.wst);
    free(order);
    free(rep);
    free(r.pend);
    bl_hits_free(r.logs.hits);
    bl_log_network_release(&r.logs.net);
    bl_names_free(r.logs.names);
    profiles_free(&ps);
    return rc;
}

/* ---- --one-source: several logs read as one ---------------------------------------- */

/* A file whose first bytes cannot be read (a damaged gzip): refused
 * with the reader's reason (*rc). */
static bool unreadable(bl_store *st, const char *path, bl_status *rc)
{
    char head[16384], *err = NULL;
    bl_source *src = NULL;
    bl_status ps = bl_source_open(path, &src, &err);
    for (size_t total = 0, got = 1; ps == BL_OK && got && total < sizeof head; total += got)
        ps = bl_source_read(src, head + total, sizeof head - total, &got);
    if (ps != BL_OK)
        *rc = bl_store_fail(st, ps == BL_NOMEM ? BL_NOMEM : BL_DATA, "%s: %s; nothing stored", path,
                            err ? err : bl_source_errmsg(src));
    bl_source_close(src);
    free(err);
    return ps != BL_OK;
}

/* Refuses the set before anything is read: every file there, a log of the
 * first's format, none given twice. The files in time order in sorted. */
static bl_status set_check(bl_store *st, const char *const *paths, size_t n, bl_ingest_opts *o,
                           const char **sorted)
{
    size_t *rep = calloc(n, sizeof *rep);
    peeked *order = calloc(n, sizeof *order);
    bool *empty = calloc(n, sizeof *empty);
    bl_status rc = BL_OK;
    if (!rep || !order || !empty || find_repeats(paths, n, rep) != BL_OK) {
        rc = BL_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n && rc == BL_OK; i++) {
        struct stat sb;
        if (stat(paths[i], &sb) != 0)
            rc = bl_store_fail(st, errno == ENOENT || errno == ENOTDIR ? BL_NOINPUT : BL_IO,
                               "cannot open '%s': %s", paths[i], strerror(errno));
        else if (rep[i] != i && strcmp(paths[i], paths[rep[i]]) == 0)
            rc = bl_store_fail(st, BL_USAGE, "%s: given twice; nothing stored", paths[i]);
    }
    /* A file without a line (a day the server was down, logrotate's
     * compressed empty log) adds nothing to the stream: it is read last,
     * and several of them are not "the same bytes" twice. */
    size_t nempty = 0;
    for (size_t i = 0; i < n && rc == BL_OK; i++) {
        char byte, *err = NULL;
        size_t got = 0;
        empty[i] = bl_source_peek(paths[i], &byte, 1, &got, &err) == BL_OK && got == 0;
        free(err);
        nempty += empty[i];
        if (rep[i] != i && !empty[i])
            rc = bl_store_fail(st, BL_USAGE,
                               "%s: the same bytes as %s, given before; nothing "
                               "stored",
                               paths[i], paths[rep[i]]);
    }
    if (rc == BL_OK && nempty == n)
        rc = bl_store_fail(st, BL_DATA, "%s: every file given is empty; nothing stored", paths[0]);
    /* The set's format: the one asked, or the first detected (a file of
     * another one is refused below, not read as lines that all fail). */
    const char *by = paths[0];
    for (size_t i = 0; i < n && rc == BL_OK && o->format == BL_FMT_AUTO; i++) {
        if (empty[i])
            continue;
        char head[16384], *err = NULL;
        size_t got = 0;
        if (bl_source_peek(paths[i], head, sizeof head, &got, &err) == BL_OK)
            (void)bl_format_detect(head, got, &o->format, &err);
        free(err);
        by = paths[i];
    }
    for (size_t i = 0; i < n && rc == BL_OK; i++) {
        order[i].index = i;
        if (!bl_format_is_log(o->format))
            rc = bl_store_fail(st, BL_DATA,
                               "%s: not an access log: --one-source reads access logs only; "
                               "nothing stored",
                               by);
        else if (empty[i])
            order[i].first = INT64_MAX;
        else if (!bl_log_peek_time(paths[i], o, &order[i].first) && !unreadable(st, paths[i], &rc))
            rc = bl_store_fail(st, BL_DATA,
                               "%s: not an access log in the format of %s (%s): --one-source "
                               "reads access logs of one format only; nothing stored",
                               paths[i], by, bl_format_name(o->format));
    }
    if (rc == BL_OK) {
        qsort(order, n, sizeof *order, by_time);
        for (size_t i = 0; i < n; i++)
            sorted[i] = paths[order[i].index];
    }
out:
    free(rep);
    free(order);
    free(empty);
    return rc;
}

bl_status bl_pipeline_ingest_set(bl_store *st, const char *const *paths, size_t n,
                                 const char *provider, const bl_ingest_opts *opts, bl_diag_fn diag,
                                 void *diag_ctx, bl_ingest_done_fn done, void *done_ctx)
{
    void *ctxs[1] = {diag_ctx};
    if (n < 2)
        return bl_pipeline_ingest_files(st, paths, n, provider, opts, diag, ctxs, done, done_ctx);
    const char **sorted = calloc(n, sizeof *sorted);
    unsigned long *starts = calloc(n, sizeof *starts);
    bl_ingest_opts o = *opts;
    bl_status rc = sorted && starts ? set_check(st, paths, n, &o, sorted) : BL_NOMEM;
    if (rc != BL_OK) {
        bl_ingest_result res = {.period_begin = -1, .period_end = -1, .files = n};
        if (rc == BL_NOMEM)
            bl_store_fail(st, rc, "%s", bl_status_str(rc));
        if (done)
            done(done_ctx, 0, paths[0], rc, &res);
    } else {
        o.set = sorted;
        o.nset = n;
        o.set_starts = starts;
        rc = bl_pipeline_ingest_files(st, sorted, 1, provider, &o, diag, ctxs, done, done_ctx);
    }
    free(sorted);
    free(starts);
    return rc;
}

typedef struct one_result {
    bl_ingest_result *res;
    bool called;
} one_result;

static void one_done(void *ctx, size_t index, const char *path, bl_status rc,
                     const bl_ingest_result *res)
{
    (void)index, (void)path, (void)rc;
    one_result *o = ctx;
    *o->res = *res;
    /* They are the job's, freed when this returns. */
    o->res->doubles = NULL;
    o->res->ndoubles = 0;
    o->called = true;
}

bl_status bl_pipeline_ingest(bl_store *st, const char *path, const char *provider,
                             const bl_ingest_opts *opts, bl_diag_fn diag, void *diag_ctx,
                             bl_ingest_result *res)
{
    memset(res, 0, sizeof *res);
    res->period_begin = res->period_end = -1;
    one_result o = {res, false};
    void *ctxs[1] = {diag_ctx};
    return bl_pipeline_ingest_files(st, &path, 1, provider, opts, diag, ctxs, one_done, &o);
}
