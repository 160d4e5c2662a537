/* COUNTER Release 5 and 5.1 reports in JSON (the COUNTER_SUSHI form), read
 * as a stream with YAJL's event parser: memory stays bounded by one item
 * (an R5.1 IR parent and its items), whatever the size of the report.
 *
 * R5.0 items carry `Performance: [{Period, Instance: [{Metric_Type,
 * Count}]}]`; R5.1 items carry `Attribute_Performance: [{Access_Method,
 * Performance: {METRIC: {"yyyy-mm": n}}}]` and omit zero months (they are
 * zeros: the period of the report is Report_Filters' Begin_Date..End_Date,
 * and a month of it without a count has no usage). R5.1 IR parents carry
 * their items in `Items`. An item is one "row": it is validated whole
 * before any of its counts goes to the sink, with the same rules as a TSV
 * row (bl__ctr_emit), and rejected whole with its line.
 *
 * Vendor quirks read as the research brief lists them: a root array (of
 * exceptions, or holding the report), a {"body": ...} wrapper, a JSON
 * string holding the JSON, a bare exception as the root, `number` for
 * `Code`, lower-case keys, codes as strings, a BOM.
 */
#include "counter_internal.h"

#include "bilan/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#define CHUNK (64u * 1024u)
/* Nesting deeper than this refuses the file (a report needs 8). */
#define MAX_DEPTH 64
/* Items nested in items (IR parent -> items). */
#define MAX_ITEM_DEPTH 4
/* Counts of one item (an IR item: ~10 metrics x 12 months x a few attribute
 * combinations); more rejects the item. */
#define MAX_ENTRIES (64u * 1024u)
/* Bytes of the names of one item and its parents. */
#define ARENA_CAP (256u * 1024u)
/* A JSON string holding the report (vendor quirk) is kept in memory. */
#define STRINGIFIED_CAP (64u * 1024u * 1024u)

typedef enum frame_kind {
    F_SKIP,      /* a value bilan does not read */
    F_ROOT,      /* a report, a wrapper or a bare exception */
    F_ROOT_ARR,  /* a root array: its maps are roots */
    F_HEADER,    /* Report_Header */
    F_INST_ARR,  /* R5.0 Institution_ID: [{Type, Value}] */
    F_INST_EL,   /* one {Type, Value} */
    F_INST_MAP,  /* R5.1 Institution_ID: {TYPE: [values]} */
    F_INST_VALS, /* the values of one TYPE */
    F_FILT_ARR,  /* R5.0 Report_Filters: [{Name, Value}] */
    F_FILT_EL,
    F_FILT_MAP, /* R5.1 Report_Filters: {Begin_Date: ..} */
    F_EXC_ARR,
    F_EXC,
    F_ITEMS, /* Report_Items or an IR parent's Items */
    F_ITEM,
    F_PERF_ARR, /* R5.0 Performance */
    F_PERF,
    F_PERIOD,
    F_INSTANCE_ARR,
    F_INSTANCE,
    F_ATTR_ARR, /* R5.1 Attribute_Performance */
    F_ATTR,
    F_METRICS, /* R5.1 Performance: {METRIC: {...}} */
    F_COUNTS   /* {"yyyy-mm": n} */
} frame_kind;

/* A frame's current key, when it is one of common_keys (1-based). */
enum {
    KID_NONE,
    KID_performance,
    KID_attributeperformance,
    KID_accessmethod,
    KID_platform,
    KID_item,
    KID_title,
    KID_items,
    KID_datatype,
    KID_yop,
    KID_accesstype,
    KID_itemid,
    KID_publisher,
    KID_publisherid,
    KID_database,
    KID_period,
    KID_instance,
    KID_begindate,
    KID_enddate,
    KID_metrictype,
    KID_count,
};

typedef struct frame {
    frame_kind kind;
    const char *k; /* the current key, normalised (maps): key or a common key's */
    char key[40];
    size_t keylen;
    int kid; /* KID_*: the key among common_keys, KID_NONE otherwise */
    bool is_map;
} frame;

/* A string in the arena. */
typedef struct astr {
    size_t off, len;
    bool set;
} astr;

typedef struct entry {
    astr metric;
    int group;
    int month; /* -2: pending (R5.0, until the Period is read) */
    int64_t value;
} entry;

#define ITEM_METRICS 8

typedef struct item {
    unsigned long line;
    astr title, item, platform, database, access_method;
    /* R5.0: the item's Metric_Type values, stored once (its counts of one
     * metric then share one string and go to the roll-up as one run) */
    astr metrics[ITEM_METRICS];
    int nmetrics;
    bool instances; /* counts read from R5.0 Instances (runs to gather) */
    size_t first_entry, first_group, arena_mark;
    bool bad;
    char bad_field[48];
    char bad_reason[200];
} item;

typedef struct group {
    astr access_method;
} group;

typedef struct jstate {
    bl__ctr_reader r; /* diagnostics plumbing shared with the TSV reader */
    bl_json_report_info *info;
    yajl_handle h;
    const unsigned char *chunk;
    size_t chunk_pos; /* bytes of chunk whose newlines are counted */
    unsigned long line;

    frame stack[MAX_DEPTH];
    int depth;
    int skip_depth; /* nesting inside an F_SKIP frame */

    /* the header */
    char report_name[BL_CTR_VALUE_MAX], report_id[32], release[32];
    char inst_name[BL_CTR_VALUE_MAX], created[64], created_by[BL_CTR_VALUE_MAX];
    bl_buf inst_id;     /* "ISNI:1234; P1:1234" as the TSV writes it */
    char inst_type[64]; /* R5.0 {Type, Value}: the Type seen */
    char inst_val[128]; /* and the Value */
    char filt_name[48]; /* R5.0 {Name, Value} */
    char filt_val[64];
    int begin_mi, end_mi; /* Begin_Date..End_Date, -1 when absent */
    bool header_seen, begun, refused;
    bl_report_family family;
    char created_norm[BL_CTR_CREATED_SIZE];

    /* the current exception */
    bl_sushi_exception exc;
    bool exc_has_code;

    /* items */
    item items[MAX_ITEM_DEPTH];
    int nitems;
    entry *entries;
    size_t nentries, entries_alloc;
    group *groups;
    size_t ngroups, groups_alloc;
    bl_buf arena;
    /* R5.0 Instance being read */
    astr inst_metric;
    int64_t inst_count;
    bool inst_has_count, inst_bad;
    char inst_bad_reason[120];
    /* R5.0 Performance being read */
    size_t perf_first;
    int perf_month;
    bool perf_bad;
    char perf_bad_reason[120];
    astr cur_metric; /* R5.1: the metric whose counts are read */
    /* R5.1 count keys ("2025-01") repeat for every metric: their month
     * index, by the key's 7 bytes (0: empty slot), in a slot of the year's
     * last digit and the month's */
    uint64_t month_key[256];
    int month_mi[256];
    /* the canonical names (bl__ctr_metric) of the metrics met, by their
     * bytes */
    struct {
        char raw[48];
        size_t len;
        bl_sv canon; /* .ptr NULL: not a COUNTER metric */
    } canon[8];
    int ncanon;
    size_t *order; /* item_end: the entries in runs */
    size_t order_alloc;

    char *stringified; /* a root string: the JSON again */
    size_t stringified_len;
    bl_status st; /* a status a callback stopped on */
} jstate;

/* ---- plumbing ----------------------------------------------------------- */

/* The physical line of the token just read. */
static unsigned long cur_line(jstate *s)
{
    if (s->chunk) {
        size_t upto = yajl_get_bytes_consumed(s->h);
        const unsigned char *p = s->chunk + s->chunk_pos, *end = s->chunk + upto;
        while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            s->line++;
            p++;
        }
        if (upto > s->chunk_pos)
            s->chunk_pos = upto;
    }
    return s->line;
}

static frame *top(jstate *s)
{
    return s->depth ? &s->stack[s->depth - 1] : NULL;
}

static int stop(jstate *s, bl_status st)
{
    s->st = st;
    return 0;
}

static int refuse_at(jstate *s, unsigned long line, const char *field, const char *reason)
{
    s->refused = true;
    return stop(s, bl__ctr_refuse(&s->r, line, field, "%s", reason));
}

static int refuse(jstate *s, const char *field, const char *reason)
{
    return refuse_at(s, cur_line(s), field, reason);
}

static bl_sv aview(const jstate *s, astr a)
{
    return a.set ? (bl_sv){s->arena.data + a.off, a.len} : BL_SV_NULL;
}

static bool astore(jstate *s, const unsigned char *p, size_t n, astr *out)
{
    size_t off = s->arena.len;
    if (bl_buf_append(&s->arena, p, n) != BL_OK)
        return false;
    *out = (astr){off, n, true};
    return true;
}

/* A Metric_Type of the current item: stored once per item (the item's first
 * ITEM_METRICS distinct values). */
static bool metric_store(jstate *s, const unsigned char *p, size_t n, astr *out)
{
    item *it = s->nitems ? &s->items[s->nitems - 1] : NULL;
    if (it)
        for (int i = 0; i < it->nmetrics; i++)
            if (it->metrics[i].len == n && memcmp(s->arena.data + it->metrics[i].off, p, n) == 0) {
                *out = it->metrics[i];
                return true;
            }
    if (!astore(s, p, n, out))
        return false;
    if (it && it->nmetrics < ITEM_METRICS)
        it->metrics[it->nmetrics++] = *out;
    return true;
}

static void copy_str(char *dst, size_t size, const unsigned char *p, size_t n)
{
    bl__ctr_copy((bl_sv){(const char *)p, n}, dst, size);
}

static int push(jstate *s, frame_kind kind, bool is_map)
{
    if (s->depth == MAX_DEPTH)
        return refuse(s, NULL, _("JSON nested more than 64 levels deep"));
    frame *f = &s->stack[s->depth++];
    f->kind = kind;
    f->k = f->key;
    f->key[0] = '\0';
    f->keylen = 0;
    f->kid = KID_NONE;
    f->is_map = is_map;
    return 1;
}

static item *cur_item(jstate *s)
{
    return s->nitems ? &s->items[s->nitems - 1] : NULL;
}

/* Marks the current item bad (its row is rejected when it ends); fmt, one
 * %s for arg, is translated here. */
static void item_bad(jstate *s, const char *field, const char *fmt, const char *arg)
{
    item *it = cur_item(s);
    if (!it || it->bad)
        return;
    char a[200]; /* arg may live in the state, as the reason does */
    snprintf(a, sizeof a, "%s", arg);
    it->bad = true;
    snprintf(it->bad_field, sizeof it->bad_field, "%s", field);
    snprintf(it->bad_reason, sizeof it->bad_reason, _(fmt), a);
}

/* ---- the header ----------------------------------------------------------- */

static void add_exception(jstate *s)
{
    bl_json_report_info *in = s->info;
    if (s->exc_has_code) {
        if (in->nexc < BL_SUSHI_MAX_EXC)
            in->exc[in->nexc++] = s->exc;
        in->exc_total++;
        if (s->exc.data[0])
            bl__ctr_note(&s->r, cur_line(s), "provider exception %ld: %s (%s)", s->exc.code,
                         s->exc.message, s->exc.data);
        else
            bl__ctr_note(&s->r, cur_line(s), "provider exception %ld: %s", s->exc.code,
                         s->exc.message);
    }
    memset(&s->exc, 0, sizeof s->exc);
    s->exc_has_code = false;
}

/* A scalar inside an exception (or a root that is one). */
static void exception_field(jstate *s, const char *k, const unsigned char *p, size_t n)
{
    if (strcmp(k, "code") == 0 || strcmp(k, "number") == 0) {
        char buf[24];
        copy_str(buf, sizeof buf, p, n);
        char *end;
        long v = strtol(buf, &end, 10);
        if (end != buf && *end == '\0') {
            s->exc.code = v;
            s->exc_has_code = true;
        }
    } else if (strcmp(k, "message") == 0) {
        copy_str(s->exc.message, sizeof s->exc.message, p, n);
    } else if (strcmp(k, "data") == 0) {
        copy_str(s->exc.data, sizeof s->exc.data, p, n);
    }
}

static bool is_exception_key(const char *k)
{
    return strcmp(k, "code") == 0 || strcmp(k, "number") == 0 || strcmp(k, "message") == 0 ||
           strcmp(k, "data") == 0 || strcmp(k, "severity") == 0 || strcmp(k, "helpurl") == 0;
}

static void filter(jstate *s, const char *name, const unsigned char *p, size_t n)
{
    int mi;
    bl_sv v = {(const char *)p, n};
    if (strcmp(name, "begindate") == 0 && bl__ctr_month(v, &mi))
        s->begin_mi = mi;
    else if (strcmp(name, "enddate") == 0 && bl__ctr_month(v, &mi))
        s->end_mi = mi;
}

static void inst_id_add(jstate *s, const char *type, const unsigned char *p, size_t n)
{
    if (n == 0)
        return;
    if (s->inst_id.len)
        bl_buf_puts(&s->inst_id, "; ");
    /* R5.1's Proprietary values already carry their namespace ("P1:1234"),
     * and the tabular form writes them so. */
    if (type[0] && strcmp(type, "Proprietary") != 0)
        bl_buf_printf(&s->inst_id, "%s:", type);
    bl_buf_append(&s->inst_id, p, n);
}

/* Called when the first item starts: the header must be known by then. */
static int begin(jstate *s)
{
    if (s->begun)
        return 1;
    s->begun = true;
    bl__ctr_reader *r = &s->r;
    if (!s->header_seen)
        return refuse(s, "Report_Header", _("Report_Items before any Report_Header"));
    if (!s->report_id[0])
        return refuse(s, "Report_ID", _("no Report_ID in the Report_Header"));
    if (!bl__ctr_family(s->report_id, &s->family)) {
        char why[160];
        snprintf(why, sizeof why,
                 _("'%.20s' is not a COUNTER R5 report (expected PR, DR, TR, IR or one of their "
                   "standard views)"),
                 s->report_id);
        return refuse(s, "Report_ID", why);
    }
    if (!s->release[0]) {
        snprintf(s->release, sizeof s->release, "5");
        bl__ctr_note(r, 0, "no Release in the header: read as Release 5");
    } else if (!bl__ctr_release(s->release)) {
        char why[96];
        snprintf(why, sizeof why, _("'%.20s' is not a release this reader knows (5 or 5.1)"),
                 s->release);
        return refuse(s, "Release", why);
    }
    if (s->begin_mi < 0 || s->end_mi < 0)
        return refuse(s, "Report_Filters",
                      _("no Begin_Date and End_Date in the Report_Filters: the months the report "
                        "covers are unknown"));
    if (s->end_mi < s->begin_mi)
        return refuse(s, "Report_Filters", _("End_Date before Begin_Date"));
    if (s->end_mi - s->begin_mi >= BL_CTR_MAX_MONTHS)
        return refuse(s, "Report_Filters", _("a period of more than 240 months"));
    if (!bl__ctr_created(bl_sv_from(s->created), s->created_norm))
        s->created_norm[0] = '\0';
    bl_file_info fi = {
        .path = r->path,
        .format = "counter5-json",
        .report_id = s->report_id,
        .family = s->family,
        .release = bl__ctr_release(s->release),
        .created_by = s->created_by[0] ? s->created_by : NULL,
        .institution_id = s->inst_id.len ? bl_buf_cstr(&s->inst_id) : NULL,
        .institution_name = s->inst_name[0] ? s->inst_name : NULL,
        .period_begin = s->begin_mi,
        .period_end = s->end_mi,
        .created = s->created_norm[0] ? s->created_norm : NULL,
    };
    if (r->sink->begin) {
        bl_status st = r->sink->begin(r->sink->ctx, &fi);
        if (st != BL_OK)
            return stop(s, st);
    }
    return 1;
}

/* ---- items ---------------------------------------------------------------- */

static int item_start(jstate *s)
{
    if (!begin(s))
        return 0;
    if (s->nitems == MAX_ITEM_DEPTH)
        return refuse(s, "Items", _("items nested more than 4 levels deep"));
    item *it = &s->items[s->nitems++];
    memset(it, 0, sizeof *it);
    it->line = cur_line(s);
    it->first_entry = s->nentries;
    it->first_group = s->ngroups;
    it->arena_mark = s->arena.len;
    /* an IR item without a Platform of its own is its parent's */
    if (s->nitems > 1) {
        it->platform = s->items[s->nitems - 2].platform;
        it->database = s->items[s->nitems - 2].database;
    }
    return 1;
}

static int group_new(jstate *s, astr am)
{
    if (s->ngroups == s->groups_alloc) {
        size_t na = s->groups_alloc ? 2 * s->groups_alloc : 16;
        group *g = realloc(s->groups, na * sizeof *g);
        if (!g)
            return stop(s, BL_NOMEM);
        s->groups = g;
        s->groups_alloc = na;
    }
    s->groups[s->ngroups++] = (group){am};
    return 1;
}

/* A count read: kept until the item ends. */
static int entry_add(jstate *s, astr metric, int month, int64_t value)
{
    item *it = cur_item(s);
    if (!it)
        return 1;
    if (s->nentries - it->first_entry >= MAX_ENTRIES) {
        item_bad(s, "Performance", "%s", _("more than 65536 counts in one item"));
        return 1;
    }
    if (s->nentries == s->entries_alloc) {
        size_t na = s->entries_alloc ? 2 * s->entries_alloc : 256;
        entry *e = realloc(s->entries, na * sizeof *e);
        if (!e)
            return stop(s, BL_NOMEM);
        s->entries = e;
        s->entries_alloc = na;
    }
    int g = s->ngroups > it->first_group ? (int)(s->ngroups - 1) : -1;
    s->entries[s->nentries++] = (entry){metric, g, month, value};
    return 1;
}

/* A month written yyyy-mm or yyyy-mm-dd (what COUNTER JSON uses) read
 * directly: false when it is not written so. */
static bool month_fast(const char *p, size_t n, int *mi)
{
    if ((n == 7 || n == 10) && p[4] == '-') {
        int y = 0, m = 0;
        bool ok = true;
        for (int i = 0; i < 4; i++)
            ok = ok && p[i] >= '0' && p[i] <= '9', y = y * 10 + (p[i] - '0');
        for (int i = 5; i < 7; i++)
            ok = ok && p[i] >= '0' && p[i] <= '9', m = m * 10 + (p[i] - '0');
        if (ok && m >= 1 && m <= 12 && y >= 1900 && (n == 7 || p[7] == '-')) {
            *mi = bl_month_index(y, m);
            return true;
        }
    }
    return false;
}

/* A month written yyyy-mm or yyyy-mm-dd read directly; anything else
 * through the general month parser. */
static bool month_of(const char *p, size_t n, int *mi)
{
    return month_fast(p, n, mi) || bl__ctr_month((bl_sv){p, n}, mi);
}

/* month_of, the months read directly remembered by their first 7 bytes
 * (what month_fast reads of them) in a slot of the year's last digit and
 * the month's: R5.1 count keys and R5.0 Period dates repeat. */
__attribute__((noinline)) static bool month_missed(jstate *s, const char *p, size_t n, int *mi,
                                                   uint64_t mk, size_t slot)
{
    if (mk && month_fast(p, n, mi)) {
        s->month_key[slot] = mk, s->month_mi[slot] = *mi;
        return true;
    }
    return month_of(p, n, mi);
}

static inline bool month_cached(jstate *s, const char *p, size_t n, int *mi)
{
    uint64_t mk = 0;
    size_t slot = 0;
    if ((n == 7 || (n == 10 && p[7] == '-')) && p[4] == '-') {
        memcpy(&mk, p, 7);
        slot = (size_t)(p[3] & 15) * 13 + (size_t)(p[5] & 1) * 10 + (size_t)(p[6] & 15);
        if (s->month_key[slot] == mk) {
            *mi = s->month_mi[slot];
            return true;
        }
    }
    return month_missed(s, p, n, mi, mk, slot);
}

/* A count's text: a whole number, 0..BL_COUNT_MAX. */
static bool parse_count(const unsigned char *p, size_t n, int64_t *v)
{
    if (n == 0 || n > 12)
        return false;
    int64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        x = x * 10 + (p[i] - '0');
    }
    if (x > BL_COUNT_MAX)
        return false;
    *v = x;
    return true;
}

static bl_sv access_method(const jstate *s, const item *it, const entry *e)
{
    bl_sv am = BL_SV_NULL;
    if (e->group >= 0 && s->groups[e->group].access_method.set)
        am = aview(s, s->groups[e->group].access_method);
    else if (it->access_method.set)
        am = aview(s, it->access_method);
    if (am.len == 7 && memcmp(am.ptr, "Regular", 7) == 0)
        return am; /* spelt as COUNTER spells it */
    if (am.len == 0 || bl__ctr_norm_eq(am, "regular"))
        return bl_sv_from("Regular");
    if (bl__ctr_norm_eq(am, "tdm"))
        return bl_sv_from("TDM");
    return am;
}

/* A metric's name as COUNTER spells it (bl__ctr_metric), or as written. */
static bl_sv metric_canon(jstate *s, bl_sv m)
{
    for (int i = 0; i < s->ncanon; i++)
        if (s->canon[i].len == m.len && memcmp(s->canon[i].raw, m.ptr, m.len) == 0)
            return s->canon[i].canon.ptr ? s->canon[i].canon : m;
    const char *canon = bl__ctr_metric(m);
    bl_sv c = canon ? bl_sv_from(canon) : (bl_sv){NULL, 0};
    if (m.len <= sizeof s->canon[0].raw &&
        s->ncanon < (int)(sizeof s->canon / sizeof s->canon[0])) {
        memcpy(s->canon[s->ncanon].raw, m.ptr, m.len);
        s->canon[s->ncanon].len = m.len;
        s->canon[s->ncanon].canon = c;
        s->ncanon++;
    }
    return c.ptr ? c : m;
}

static bool same_run(const entry *a, const entry *b)
{
    return a->metric.off == b->metric.off && a->metric.len == b->metric.len && a->group == b->group;
}

/* The entries [first, end) in runs of one metric and group, each run in the
 * order of its first entry and its entries in their order (R5.0 writes a
 * Period's metrics together: a month's counts of every metric, then the
 * next month's); NULL when they already are (R5.1) or the item has more
 * than RUN_KEYS runs (handed over as written). */
#define RUN_KEYS 32
static const size_t *runs_order(jstate *s, size_t first, size_t end)
{
    size_t first_of[RUN_KEYS], count[RUN_KEYS];
    size_t nk = 0, runs = 0;
    for (size_t i = first; i < end; i++) {
        const entry *e = &s->entries[i];
        if (i > first && same_run(e, &s->entries[i - 1]))
            continue;
        runs++;
        size_t k = 0;
        while (k < nk && !same_run(e, &s->entries[first_of[k]]))
            k++;
        if (k == nk) {
            if (nk == RUN_KEYS)
                return NULL;
            first_of[nk] = i, count[nk] = 0;
            nk++;
        }
    }
    if (runs == nk)
        return NULL; /* every run already whole */
    if (end - first > s->order_alloc) {
        size_t na = s->order_alloc ? s->order_alloc : 256;
        while (na < end - first)
            na *= 2;
        size_t *o = realloc(s->order, na * sizeof *o);
        if (!o)
            return NULL; /* as written: the same counts, in more runs */
        s->order = o, s->order_alloc = na;
    }
    /* counts per run, then each entry placed after the runs before it */
    size_t k = 0;
    for (size_t i = first; i < end; i++) {
        const entry *e = &s->entries[i];
        if (!same_run(e, &s->entries[first_of[k]])) {
            k = 0;
            while (!same_run(e, &s->entries[first_of[k]]))
                k++;
        }
        count[k]++;
    }
    size_t pos = 0;
    for (size_t j = 0; j < nk; j++) {
        size_t c = count[j];
        count[j] = pos;
        pos += c;
    }
    k = 0;
    for (size_t i = first; i < end; i++) {
        const entry *e = &s->entries[i];
        if (!same_run(e, &s->entries[first_of[k]])) {
            k = 0;
            while (!same_run(e, &s->entries[first_of[k]]))
                k++;
        }
        s->order[count[k]++] = i;
    }
    return s->order;
}

/* The item ends: validated whole, then its counts go to the sink. */
static int item_end(jstate *s)
{
    item *it = cur_item(s);
    bl__ctr_reader *r = &s->r;
    bl_sv ident;
    const char *ident_name;
    switch (s->family) {
    case BL_FAM_PR:
        ident = aview(s, it->platform), ident_name = "Platform";
        break;
    case BL_FAM_DR:
        ident = aview(s, it->database), ident_name = "Database";
        break;
    case BL_FAM_TR:
        ident = aview(s, it->title), ident_name = "Title";
        break;
    default:
        ident = it->item.set ? aview(s, it->item) : aview(s, it->title);
        ident_name = it->item.set ? "Item" : "Title";
        break;
    }
    bl_row_ctx ctx = {
        .institution_id = BL_SV_NULL,
        .institution_name = BL_SV_NULL,
        .platform = aview(s, it->platform),
        .database = s->family == BL_FAM_DR ? aview(s, it->database) : bl_sv_from(""),
        .metric = bl_sv_from(""),
        .month_first = s->begin_mi,
        .month_last = s->end_mi,
    };
    r->row = &ctx;
    r->line = it->line;
    bl_status st = BL_OK;
    size_t n = s->nentries - it->first_entry;
    if (it->bad) {
        st = bl__ctr_reject(r, it->bad_field, "%s", it->bad_reason);
        goto done;
    }
    if (n == 0) /* an IR parent (its items counted), or an item without usage */
        goto done;
    if (ident.len == 0) {
        st = bl__ctr_reject(r, ident_name, "empty or missing");
        goto done;
    }
    for (size_t i = it->first_entry; i < s->nentries; i++) {
        entry *e = &s->entries[i];
        char m[8];
        if (e->metric.len == 0) {
            st = bl__ctr_reject(r, "Metric_Type", "empty or missing");
            goto done;
        }
        if (e->month < 0) {
            st = bl__ctr_reject(r, "Period", "a count without its month");
            goto done;
        }
        if (e->month < s->begin_mi || e->month > s->end_mi) {
            bl_month_format(e->month, m);
            st = bl__ctr_reject(r, m, "a count for %s, outside the report's Begin_Date..End_Date",
                                m);
            goto done;
        }
        if (e->value > 0 && e->month > r->now_mi) {
            bl_month_format(e->month, m);
            st = bl__ctr_future(r, m, e->month);
            goto done;
        }
    }
    /* consecutive counts share their metric and group: resolved once and
     * handed to the sink as one run */
    bl_count_rec rec = {
        .line = it->line,
        .institution_id = BL_SV_NULL,
        .institution_name = BL_SV_NULL,
        .platform = aview(s, it->platform),
        .database = s->family == BL_FAM_DR ? aview(s, it->database) : BL_SV_NULL,
        .title = (s->family == BL_FAM_TR || s->family == BL_FAM_IR) ? ident : BL_SV_NULL,
    };
    const size_t *order = it->instances ? runs_order(s, it->first_entry, s->nentries) : NULL;
    int months[64];
    int64_t vals[64];
    size_t run = 0;
    bool zeros = false; /* a count of 0 or less in the run */
    entry *e = &s->entries[order ? order[0] : it->first_entry];
    for (size_t k = 0; k < n && st == BL_OK; k++) {
        entry *next = k + 1 == n ? NULL : order ? &s->entries[order[k + 1]] : e + 1;
        if (run == 0) {
            rec.metric = metric_canon(s, aview(s, e->metric));
            rec.access_method = access_method(s, it, e);
        }
        months[run] = e->month, vals[run] = e->value;
        zeros |= e->value <= 0;
        run++;
        if (!next || run == sizeof months / sizeof months[0] || !same_run(next, e)) {
            /* positive counts only: what bl__ctr_emit would hand over */
            if (!zeros && r->sink->count_run)
                st = r->sink->count_run(r->sink->ctx, &rec, months, vals, run);
            else
                st = bl__ctr_emit(r, &rec, months, vals, run);
            run = 0;
            zeros = false;
        }
        e = next;
    }
done:
    r->row = NULL;
    s->nentries = it->first_entry;
    s->ngroups = it->first_group;
    s->arena.len = it->arena_mark;
    s->nitems--;
    if (st != BL_OK)
        return stop(s, st);
    return 1;
}

__attribute__((noinline)) static int bad_count(jstate *s, const frame *f, const unsigned char *p,
                                               size_t n)
{
    char q[48], field[48];
    copy_str(field, sizeof field, (const unsigned char *)f->key, f->keylen);
    copy_str(q, sizeof q, p, n);
    item_bad(s, field, "'%s' is not a whole count (0 to 1000000000)", q);
    return 1;
}

/* A count of an R5.1 Performance map: {"yyyy-mm": n} (the hot path). */
static int count_value(jstate *s, const frame *f, const unsigned char *p, size_t n)
{
    int mi;
    int64_t v = 0;
    if (!month_cached(s, f->key, f->keylen, &mi)) {
        item_bad(s, "Performance", "'%.30s' is not a month (yyyy-mm)", f->key);
        return 1;
    }
    if (!parse_count(p, n, &v))
        return bad_count(s, f, p, n);
    const item *it = s->nitems ? &s->items[s->nitems - 1] : NULL;
    if (it && s->nentries < s->entries_alloc && s->nentries - it->first_entry < MAX_ENTRIES) {
        /* entry_add's common case */
        int g = s->ngroups > it->first_group ? (int)(s->ngroups - 1) : -1;
        s->entries[s->nentries++] = (entry){s->cur_metric, g, mi, v};
        return 1;
    }
    return entry_add(s, s->cur_metric, mi, v);
}

/* ---- YAJL callbacks ---------------------------------------------------------- */

/* A scalar value: dispatched on the frame it sits in and its key. */
/* A reason quoting a value: p[0..n) is a view into YAJL's buffer, not a C
 * string, so it is copied (cut) before fmt (one %s) quotes it. */
static void bad_value(char *out, size_t size, const char *fmt, const unsigned char *p, size_t n)
{
    char v[48];
    copy_str(v, sizeof v, p, n);
    snprintf(out, size, fmt, v);
}

static int scalar(jstate *s, const unsigned char *p, size_t n, bool is_string, bool is_number)
{
    frame *f = top(s);
    if (!f) {
        if (is_string) {
            /* the whole document is a string: the JSON again (quirk) */
            if (n > STRINGIFIED_CAP)
                return refuse(s, NULL, _("a JSON string larger than 64 MiB"));
            free(s->stringified);
            s->stringified = malloc(n + 1);
            if (!s->stringified)
                return stop(s, BL_NOMEM);
            memcpy(s->stringified, p, n);
            s->stringified[n] = '\0';
            s->stringified_len = n;
            return 1;
        }
        return refuse(s, NULL, _("not a COUNTER report: the JSON is a single value"));
    }
    if (f->kind == F_SKIP)
        return 1;
    const char *k = f->k;
    switch (f->kind) {
    case F_ROOT:
    case F_EXC:
        if (is_exception_key(k))
            exception_field(s, k, p, n);
        break;
    case F_HEADER:
        if (!is_string && !is_number)
            break;
        if (strcmp(k, "reportname") == 0)
            copy_str(s->report_name, sizeof s->report_name, p, n);
        else if (strcmp(k, "reportid") == 0)
            copy_str(s->report_id, sizeof s->report_id, p, n);
        else if (strcmp(k, "release") == 0)
            copy_str(s->release, sizeof s->release, p, n);
        else if (strcmp(k, "institutionname") == 0)
            copy_str(s->inst_name, sizeof s->inst_name, p, n);
        else if (strcmp(k, "institutionid") == 0) /* a plain string */
            inst_id_add(s, "", p, n);
        else if (strcmp(k, "created") == 0)
            copy_str(s->created, sizeof s->created, p, n);
        else if (strcmp(k, "createdby") == 0)
            copy_str(s->created_by, sizeof s->created_by, p, n);
        break;
    case F_INST_EL:
        if (strcmp(k, "type") == 0)
            copy_str(s->inst_type, sizeof s->inst_type, p, n);
        else if (strcmp(k, "value") == 0)
            copy_str(s->inst_val, sizeof s->inst_val, p, n);
        break;
    case F_INST_MAP:
    case F_INST_VALS: {
        char type[64];
        snprintf(type, sizeof type, "%s", s->inst_type);
        inst_id_add(s, type, p, n);
        break;
    }
    case F_FILT_EL:
        if (strcmp(k, "name") == 0) {
            char raw[48];
            copy_str(raw, sizeof raw, p, n);
            bl__ctr_norm(bl_sv_from(raw), s->filt_name, sizeof s->filt_name);
        } else if (strcmp(k, "value") == 0) {
            copy_str(s->filt_val, sizeof s->filt_val, p, n);
        }
        break;
    case F_FILT_MAP:
        filter(s, k, p, n);
        break;
    case F_ITEM: {
        item *it = cur_item(s);
        astr *slot = NULL;
        if (f->kid == KID_title)
            slot = &it->title;
        else if (f->kid == KID_item)
            slot = &it->item;
        else if (f->kid == KID_platform)
            slot = &it->platform;
        else if (f->kid == KID_database)
            slot = &it->database;
        else if (f->kid == KID_accessmethod)
            slot = &it->access_method;
        if (slot && !astore(s, p, n, slot))
            item_bad(s, "Report_Items", "%s", _("names longer than 256 KiB"));
        break;
    }
    case F_PERIOD: {
        int mi;
        if (f->kid == KID_begindate) {
            bool ok = month_cached(s, (const char *)p, n, &mi);
            if (ok && s->perf_month <= -3 && -3 - s->perf_month != mi)
                s->perf_bad = true, snprintf(s->perf_bad_reason, sizeof s->perf_bad_reason, "%s",
                                             _("a Period longer than a month"));
            else if (ok)
                s->perf_month = mi;
            else
                s->perf_bad = true, bad_value(s->perf_bad_reason, sizeof s->perf_bad_reason,
                                              _("Begin_Date '%.40s' is not a date"), p, n);
        } else if (f->kid == KID_enddate) {
            if (!month_cached(s, (const char *)p, n, &mi))
                s->perf_bad = true, bad_value(s->perf_bad_reason, sizeof s->perf_bad_reason,
                                              _("End_Date '%.40s' is not a date"), p, n);
            else if (s->perf_month >= 0 && mi != s->perf_month)
                s->perf_bad = true, snprintf(s->perf_bad_reason, sizeof s->perf_bad_reason, "%s",
                                             _("a Period longer than a month"));
            else if (s->perf_month < 0)
                s->perf_month = -3 - mi; /* End_Date first: checked at the Begin_Date */
        }
        break;
    }
    case F_INSTANCE:
        if (f->kid == KID_metrictype) {
            if (!metric_store(s, p, n, &s->inst_metric))
                item_bad(s, "Metric_Type", "%s", _("names longer than 256 KiB"));
        } else if (f->kid == KID_count) {
            if (!parse_count(p, n, &s->inst_count)) {
                s->inst_bad = true;
                bad_value(s->inst_bad_reason, sizeof s->inst_bad_reason,
                          _("'%.30s' is not a whole count (0 to 1000000000)"), p, n);
            }
            s->inst_has_count = true;
        }
        break;
    case F_ATTR:
        if (f->kid == KID_accessmethod && s->ngroups) {
            if (!astore(s, p, n, &s->groups[s->ngroups - 1].access_method))
                item_bad(s, "Access_Method", "%s", _("names longer than 256 KiB"));
        }
        break;
    case F_COUNTS:
        return count_value(s, f, p, n);
    default:
        break;
    }
    return 1;
}

static int cb_null(void *ctx)
{
    return scalar(ctx, (const unsigned char *)"", 0, false, false);
}

static int cb_boolean(void *ctx, int v)
{
    return scalar(ctx, (const unsigned char *)(v ? "true" : "false"), v ? 4 : 5, false, false);
}

static int cb_number(void *ctx, const char *p, size_t n)
{
    jstate *s = ctx;
    if (s->depth && s->stack[s->depth - 1].kind == F_COUNTS)
        return count_value(s, &s->stack[s->depth - 1], (const unsigned char *)p, n);
    return scalar(ctx, (const unsigned char *)p, n, false, true);
}

static int cb_string(void *ctx, const unsigned char *p, size_t n)
{
    return scalar(ctx, p, n, true, false);
}

/* The keys every item repeats, spelt as COUNTER spells them, and their
 * normalised form: found without normalising (the hot path). */
static const struct {
    const char *raw, *norm;
    size_t len, norm_len;
} common_keys[] = {
#define K(raw, norm)                               \
    {                                              \
        raw, norm, sizeof raw - 1, sizeof norm - 1 \
    }
    K("Performance", "performance"),
    K("Attribute_Performance", "attributeperformance"),
    K("Access_Method", "accessmethod"),
    K("Platform", "platform"),
    K("Item", "item"),
    K("Title", "title"),
    K("Items", "items"),
    K("Data_Type", "datatype"),
    K("YOP", "yop"),
    K("Access_Type", "accesstype"),
    K("Item_ID", "itemid"),
    K("Publisher", "publisher"),
    K("Publisher_ID", "publisherid"),
    K("Database", "database"),
    K("Period", "period"),
    K("Instance", "instance"),
    K("Begin_Date", "begindate"),
    K("End_Date", "enddate"),
    K("Metric_Type", "metrictype"),
    K("Count", "count"),
#undef K
};

/* memcmp(a, b, n) == 0 for the short keys, inline: 8 or 4 bytes at a time,
 * the last word overlapping (a and b hold n bytes each). */
static inline bool same_bytes(const char *a, const unsigned char *b, size_t n)
{
    if (n >= 8) {
        uint64_t x, y;
        for (size_t i = 0; i + 8 <= n; i += 8) {
            memcpy(&x, a + i, 8), memcpy(&y, b + i, 8);
            if (x != y)
                return false;
        }
        memcpy(&x, a + n - 8, 8), memcpy(&y, b + n - 8, 8);
        return x == y;
    }
    if (n >= 4) {
        uint32_t x, y;
        memcpy(&x, a, 4), memcpy(&y, b, 4);
        if (x != y)
            return false;
        memcpy(&x, a + n - 4, 4), memcpy(&y, b + n - 4, 4);
        return x == y;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)a[i] != b[i])
            return false;
    return true;
}

/* A key spelt as COUNTER spells it among common_keys: its KID_*, else
 * KID_NONE (one candidate by length and first letter, then compared). */
static int common_key(const unsigned char *p, size_t n)
{
    int kid;
    switch (n) {
    case 3:
        kid = KID_yop;
        break;
    case 4:
        kid = KID_item;
        break;
    case 5:
        kid = p[0] == 'T' ? KID_title : p[0] == 'I' ? KID_items : KID_count;
        break;
    case 6:
        kid = KID_period;
        break;
    case 7:
        kid = KID_itemid;
        break;
    case 8:
        kid = p[0] == 'P'   ? KID_platform
              : p[0] == 'D' ? KID_database
              : p[0] == 'I' ? KID_instance
                            : KID_enddate;
        break;
    case 9:
        kid = p[0] == 'D' ? KID_datatype : KID_publisher;
        break;
    case 10:
        kid = KID_begindate;
        break;
    case 11:
        kid = p[0] == 'P' ? KID_performance : p[0] == 'A' ? KID_accesstype : KID_metrictype;
        break;
    case 12:
        kid = KID_publisherid;
        break;
    case 13:
        kid = KID_accessmethod;
        break;
    case 21:
        kid = KID_attributeperformance;
        break;
    default:
        return KID_NONE;
    }
    return same_bytes(common_keys[kid - 1].raw, p, n) ? kid : KID_NONE;
}

/* R5.1 count keys ("2022-01") are kept as written; every other key
 * normalised ("Report_Header" -> "reportheader"). */
__attribute__((noinline)) static int map_key(jstate *s, frame *f, const unsigned char *p, size_t n)
{
    if (!f || f->kind == F_SKIP)
        return 1;
    if (f->kind == F_COUNTS && n < sizeof f->key) {
        memcpy(f->key, p, n); /* a month: checked when its count comes */
        f->key[n] = '\0';
        f->keylen = n;
        return 1;
    }
    if (f->kind == F_COUNTS || f->kind == F_METRICS) {
        copy_str(f->key, sizeof f->key, p, n);
        f->keylen = strlen(f->key);
        if (f->kind == F_METRICS && !astore(s, p, n, &s->cur_metric))
            item_bad(s, "Performance", "%s", _("names longer than 256 KiB"));
        return 1;
    }
    if (f->kind == F_INST_MAP) {
        copy_str(s->inst_type, sizeof s->inst_type, p, n);
        return 1;
    }
    if (n > 38) {
        f->k = f->key;
        f->key[0] = '\0';
        f->keylen = 0;
        f->kid = KID_NONE;
        return 1;
    }
    int kid = common_key(p, n);
    if (kid != KID_NONE) {
        f->k = common_keys[kid - 1].norm;
        f->keylen = common_keys[kid - 1].norm_len;
        f->kid = kid;
        return 1;
    }
    f->k = f->key;
    bl__ctr_norm((bl_sv){(const char *)p, n}, f->key, sizeof f->key);
    f->keylen = strlen(f->key);
    f->kid = KID_NONE;
    for (size_t i = 0; i < sizeof common_keys / sizeof common_keys[0]; i++)
        if (strcmp(common_keys[i].norm, f->key) == 0) /* "access_method", "PERFORMANCE" */
            f->kid = (int)i + 1;
    return 1;
}

static int cb_map_key(void *ctx, const unsigned char *p, size_t n)
{
    jstate *s = ctx;
    frame *f = top(s);
    if (n == 7 && f && f->kind == F_COUNTS) { /* "2025-01": the hot path */
        memcpy(f->key, p, 7);
        f->key[7] = '\0';
        f->keylen = 7;
        return 1;
    }
    return map_key(s, f, p, n);
}

/* What a map or an array opens, from where it is. */
static frame_kind child_kind(jstate *s, bool is_map)
{
    frame *f = top(s);
    if (!f)
        return is_map ? F_ROOT : F_ROOT_ARR;
    const char *k = f->k;
    switch (f->kind) {
    case F_ROOT_ARR:
        return is_map ? F_ROOT : F_SKIP;
    case F_ROOT:
        if (strcmp(k, "reportheader") == 0 && is_map)
            return F_HEADER;
        if (strcmp(k, "reportitems") == 0 && !is_map)
            return F_ITEMS;
        if (strcmp(k, "body") == 0)
            return is_map ? F_ROOT : F_ROOT_ARR;
        if (strcmp(k, "exception") == 0 || strcmp(k, "exceptions") == 0)
            return is_map ? F_EXC : F_EXC_ARR;
        return F_SKIP;
    case F_HEADER:
        if (strcmp(k, "institutionid") == 0)
            return is_map ? F_INST_MAP : F_INST_ARR;
        if (strcmp(k, "reportfilters") == 0)
            return is_map ? F_FILT_MAP : F_FILT_ARR;
        if (strcmp(k, "exceptions") == 0 || strcmp(k, "exception") == 0)
            return is_map ? F_EXC : F_EXC_ARR;
        return F_SKIP;
    case F_INST_ARR:
        return is_map ? F_INST_EL : F_SKIP;
    case F_INST_MAP:
        return is_map ? F_SKIP : F_INST_VALS;
    case F_FILT_ARR:
        return is_map ? F_FILT_EL : F_SKIP;
    case F_EXC_ARR:
        return is_map ? F_EXC : F_SKIP;
    case F_ITEMS:
        return is_map ? F_ITEM : F_SKIP;
    case F_ITEM:
        if (f->kid == KID_items && !is_map)
            return F_ITEMS;
        if (f->kid == KID_performance && !is_map)
            return F_PERF_ARR;
        if (f->kid == KID_attributeperformance && !is_map)
            return F_ATTR_ARR;
        return F_SKIP;
    case F_PERF_ARR:
        return is_map ? F_PERF : F_SKIP;
    case F_PERF:
        if (f->kid == KID_period && is_map)
            return F_PERIOD;
        if (f->kid == KID_instance && !is_map)
            return F_INSTANCE_ARR;
        return F_SKIP;
    case F_INSTANCE_ARR:
        return is_map ? F_INSTANCE : F_SKIP;
    case F_ATTR_ARR:
        return is_map ? F_ATTR : F_SKIP;
    case F_ATTR:
        if (f->kid == KID_performance && is_map)
            return F_METRICS;
        return F_SKIP;
    case F_METRICS:
        return is_map ? F_COUNTS : F_SKIP;
    default:
        return F_SKIP;
    }
}

static int open_value(jstate *s, bool is_map)
{
    frame *f = top(s);
    if (f && f->kind == F_SKIP) {
        if (s->depth + s->skip_depth >= MAX_DEPTH)
            return refuse(s, NULL, _("JSON nested more than 64 levels deep"));
        s->skip_depth++;
        return 1;
    }
    frame_kind kind = child_kind(s, is_map);
    if (!push(s, kind, is_map))
        return 0;
    switch (kind) {
    case F_HEADER:
        s->header_seen = true;
        break;
    case F_ITEM:
        return item_start(s);
    case F_EXC:
        memset(&s->exc, 0, sizeof s->exc);
        s->exc_has_code = false;
        break;
    case F_ROOT:
        memset(&s->exc, 0, sizeof s->exc);
        s->exc_has_code = false;
        break;
    case F_INST_EL:
        s->inst_type[0] = s->inst_val[0] = '\0';
        break;
    case F_FILT_EL:
        s->filt_name[0] = s->filt_val[0] = '\0';
        break;
    case F_PERF:
        s->perf_first = s->nentries;
        s->perf_month = -1;
        s->perf_bad = false;
        break;
    case F_INSTANCE:
        s->inst_metric = (astr){0, 0, false};
        s->inst_has_count = s->inst_bad = false;
        s->inst_count = 0;
        break;
    case F_ATTR:
        if (cur_item(s))
            return group_new(s, (astr){0, 0, false});
        break;
    default:
        break;
    }
    return 1;
}

static int close_value(jstate *s)
{
    frame *f = top(s);
    if (!f)
        return 1;
    if (f->kind == F_SKIP && s->skip_depth) {
        s->skip_depth--;
        return 1;
    }
    frame_kind kind = f->kind;
    s->depth--;
    switch (kind) {
    case F_ITEM:
        return item_end(s);
    case F_EXC:
        add_exception(s);
        break;
    case F_ROOT:
        if (s->exc_has_code)
            add_exception(s); /* a bare exception as the root */
        break;
    case F_INST_EL:
        inst_id_add(s, s->inst_type, (const unsigned char *)s->inst_val, strlen(s->inst_val));
        break;
    case F_FILT_EL:
        filter(s, s->filt_name, (const unsigned char *)s->filt_val, strlen(s->filt_val));
        break;
    case F_INSTANCE:
        if (s->inst_bad)
            item_bad(s, "Count", "%s", s->inst_bad_reason);
        else if (!s->inst_has_count)
            item_bad(s, "Count", "%s", _("an Instance without a Count"));
        else {
            if (cur_item(s))
                cur_item(s)->instances = true;
            return entry_add(s, s->inst_metric, -2, s->inst_count);
        }
        break;
    case F_PERF: {
        int m = s->perf_month;
        if (s->perf_bad)
            item_bad(s, "Period", "%s", s->perf_bad_reason);
        else if (m < -2)
            m = -3 - m; /* only an End_Date */
        for (size_t i = s->perf_first; i < s->nentries; i++)
            if (s->entries[i].month == -2)
                s->entries[i].month = m;
        break;
    }
    default:
        break;
    }
    return 1;
}

static int cb_start_map(void *ctx)
{
    return open_value(ctx, true);
}

static int cb_start_array(void *ctx)
{
    return open_value(ctx, false);
}

static int cb_end(void *ctx)
{
    return close_value(ctx);
}

static const yajl_callbacks callbacks = {cb_null,   cb_boolean,     NULL,         NULL,
                                         cb_number, cb_string,      cb_start_map, cb_map_key,
                                         cb_end,    cb_start_array, cb_end};

/* ---- driving the parser -------------------------------------------------------- */

static bl_status state_init(jstate *s, bl_source *src, const char *path, const bl_ingest_opts *opts,
                            const bl_sink *sink, bl_json_report_info *info)
{
    memset(s, 0, sizeof *s);
    bl_status st = bl__ctr_reader_init(&s->r, src, path, opts, sink);
    if (st != BL_OK)
        return st;
    memset(info, 0, sizeof *info);
    s->info = info;
    s->inst_id = BL_BUF_INIT(4096);
    if (opts && opts->institution_tag)
        bl_buf_puts(&s->inst_id, opts->institution_tag);
    s->arena = BL_BUF_INIT(ARENA_CAP);
    s->begin_mi = s->end_mi = -1;
    s->line = 1;
    return BL_OK;
}

static void state_reset_parse(jstate *s)
{
    if (s->h)
        yajl_free(s->h);
    s->h = yajl_alloc(&callbacks, NULL, s);
    s->depth = s->skip_depth = 0;
}

static void state_release(jstate *s)
{
    if (s->h)
        yajl_free(s->h);
    free(s->entries);
    free(s->order);
    free(s->groups);
    free(s->stringified);
    bl_buf_release(&s->inst_id);
    bl_buf_release(&s->arena);
    bl__ctr_reader_release(&s->r);
}

/* Feeds bytes; BL_OK to go on. */
static bl_status feed(jstate *s, const unsigned char *p, size_t n)
{
    s->chunk = p;
    s->chunk_pos = 0;
    yajl_status ys = yajl_parse(s->h, p, n);
    cur_line(s);
    s->chunk = NULL;
    if (ys == yajl_status_ok)
        return BL_OK;
    if (ys == yajl_status_client_canceled)
        return s->st != BL_OK ? s->st : BL_DATA;
    unsigned char *e = yajl_get_error(s->h, 0, p, n);
    char why[200];
    snprintf(why, sizeof why, _("not valid JSON (%s)"), e ? (const char *)e : _("parse error"));
    if (e)
        yajl_free_error(s->h, e);
    s->chunk = p, s->chunk_pos = 0;
    cur_line(s);
    s->chunk = NULL;
    refuse(s, NULL, why);
    return s->st;
}

static bl_status finish(jstate *s)
{
    yajl_status ys = yajl_complete_parse(s->h);
    if (ys == yajl_status_ok)
        return BL_OK;
    if (ys == yajl_status_client_canceled)
        return s->st != BL_OK ? s->st : BL_DATA;
    refuse(s, NULL, _("not valid JSON (the document ends too early)"));
    return s->st;
}

/* After the whole document: a report was read, or the file is refused
 * saying why (the provider's exceptions when it sent only those). */
static bl_status conclude(jstate *s)
{
    bl_json_report_info *in = s->info;
    in->has_report = s->header_seen;
    if (s->header_seen && !s->begun) {
        /* a report without items (no usage): still a report of its months */
        if (!begin(s))
            return s->st;
    }
    if (s->header_seen)
        return BL_OK;
    if (in->nexc) {
        char why[400];
        const bl_sushi_exception *x = &in->exc[0];
        if (x->message[0] && x->data[0])
            snprintf(why, sizeof why,
                     _("no report, the provider's exception %ld (%s: %s): nothing to ingest"),
                     x->code, x->message, x->data);
        else if (x->message[0])
            snprintf(why, sizeof why,
                     _("no report, the provider's exception %ld (%s): nothing to ingest"), x->code,
                     x->message);
        else if (x->data[0])
            snprintf(why, sizeof why,
                     _("no report, the provider's exception %ld: %s: nothing to ingest"), x->code,
                     x->data);
        else
            snprintf(why, sizeof why,
                     _("no report, the provider's exception %ld: nothing to ingest"), x->code);
        refuse_at(s, 0, NULL, why);
    } else {
        refuse_at(s, 0, NULL, _("not a COUNTER report: no Report_Header"));
    }
    return s->st;
}

static bl_status parse_stringified(jstate *s)
{
    char *txt = s->stringified;
    size_t n = s->stringified_len;
    s->stringified = NULL;
    state_reset_parse(s);
    s->line = 1;
    bl_status st = feed(s, (const unsigned char *)txt, n);
    if (st == BL_OK)
        st = finish(s);
    if (st == BL_OK && s->stringified) {
        free(s->stringified);
        s->stringified = NULL;
        refuse(s, NULL, _("not a COUNTER report: a JSON string holding a JSON string"));
        st = s->st;
    }
    free(txt);
    return st;
}

bl_status bl_counter_json_read(bl_source *src, const char *path, const bl_ingest_opts *opts,
                               const bl_sink *sink, bl_json_report_info *info, char **errmsg)
{
    bl_json_report_info local;
    if (!info)
        info = &local;
    jstate *s = malloc(sizeof *s);
    if (!s)
        return BL_NOMEM;
    bl_status st = state_init(s, src, path, opts, sink, info);
    if (st != BL_OK) {
        free(s);
        return st;
    }
    state_reset_parse(s);
    unsigned char *buf = malloc(CHUNK);
    if (!buf || !s->h) {
        st = BL_NOMEM;
        goto out;
    }
    bool first = true;
    for (;;) {
        size_t got = 0;
        st = bl_source_read(src, buf, CHUNK, &got);
        if (st != BL_OK) {
            st = bl__ctr_source_failed(&s->r, st);
            goto out;
        }
        if (got == 0)
            break;
        size_t skip = 0;
        if (first && got >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
            skip = 3; /* a BOM, which COUNTER forbids and some send */
        first = false;
        if ((st = feed(s, buf + skip, got - skip)) != BL_OK)
            goto out;
    }
    if (first) {
        st = bl__ctr_refuse(&s->r, 0, NULL, "empty file");
        goto out;
    }
    if ((st = finish(s)) != BL_OK)
        goto out;
    if (s->stringified && (st = parse_stringified(s)) != BL_OK)
        goto out;
    st = conclude(s);
out:
    free(buf);
    if (st != BL_OK)
        bl__ctr_take_errmsg(&s->r, errmsg);
    state_release(s);
    free(s);
    return st;
}

bl_status bl_counter_json_scan(const char *data, size_t n, bl_json_report_info *info, char **errmsg)
{
    static const bl_sink none = {0};
    jstate *s = malloc(sizeof *s);
    if (!s)
        return BL_NOMEM;
    bl_status st = state_init(s, NULL, "response", NULL, &none, info);
    if (st != BL_OK) {
        free(s);
        return st;
    }
    state_reset_parse(s);
    if (!s->h) {
        st = BL_NOMEM;
        goto out;
    }
    if (n >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        data += 3, n -= 3;
    if (n == 0) {
        st = bl__ctr_refuse(&s->r, 0, NULL, "empty response");
        goto out;
    }
    if ((st = feed(s, (const unsigned char *)data, n)) != BL_OK)
        goto out;
    if ((st = finish(s)) != BL_OK)
        goto out;
    if (s->stringified && (st = parse_stringified(s)) != BL_OK)
        goto out;
    st = conclude(s);
out:
    if (st != BL_OK)
        bl__ctr_take_errmsg(&s->r, errmsg);
    state_release(s);
    free(s);
    return st;
}

bl_format bl__json_sniff(const char *head, size_t n)
{
    size_t i = 0;
    if (n >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
        i++;
    /* an object, an array, or a JSON string holding one (a vendor quirk,
     * not a quoted CSV cell: "{..." or "[...") */
    if (i < n && head[i] == '"' && i + 1 < n && (head[i + 1] == '{' || head[i + 1] == '['))
        i++;
    if (i == n || (head[i] != '{' && head[i] != '['))
        return BL_FMT_AUTO;
    static const char *const marks[] = {"Report_Header", "Report_Items", "Exception",
                                        "\"Code\"",      "\"code\"",     "\"body\""};
    for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++) {
        size_t ml = strlen(marks[k]);
        for (size_t j = i; j + ml <= n; j++)
            if (memcmp(head + j, marks[k], ml) == 0)
                return BL_FMT_COUNTER5_JSON;
    }
    return BL_FMT_AUTO;
}
