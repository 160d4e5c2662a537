/* A second, more varied access-log generator (issue 18): a portal with 30 000
 * patrons over several months, closer to a real one than gen_log:
 *   gen_log2 OUT.log.gz NETWORK_DIR [LINES] [SEED] [MONTHS]
 * - visits, not independent lines: a patron (or an anonymous visitor) opens
 *   a session of a few to a few dozen clicks on one or two resources, with
 *   the static assets of each page (css, js, fonts, images; many 304s), the
 *   previous page as referrer, now and then the same click again seconds
 *   later (double clicks), sometimes logged in (CAS login in %u);
 * - 30 000 patrons, each with a fixed address: in one of 80 libraries'
 *   ranges (IPv4 /24 to /27, half of them with an IPv6 /48 or /56) or at
 *   home (IPv4 or IPv6 of no range), and a fixed user agent out of 4 000
 *   distinct long ones (browser x version x system x device; ~2 400 seen
 *   in 1 M lines);
 * - ~5 % of lines from robots (crawlers of the COUNTER list, with versions,
 *   and scripts: curl, python-requests, Wget...), fast and wide;
 * - relative and absolute request URLs (a proxy's https://host/path), host
 *   patterns and path patterns, unanchored patterns (so that the prefilter
 *   path is measured, not only the literal-prefix one), query strings;
 * - 302s, 404s, a few 500s; a day-and-night rhythm; MONTHS months (default
 *   4) from January 2026; a little disorder from merged servers.
 * The network folder (partners, libraries, resources) matches the log. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define PATRONS 30000
#define LIBS 80
#define ACTIVE 300 /* visits in progress at a time */

static uint64_t rng;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static unsigned pick(unsigned n)
{
    return (unsigned)(next() % n);
}
static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDull;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ull;
    x ^= x >> 33;
    return x;
}

static const char *const MON[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const int MDAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

/* Resources: url_pattern, request_pattern, and how a click on them looks. */
typedef struct res {
    const char *id, *pattern, *request;
    const char *host; /* absolute URLs (through the proxy), else NULL */
    const char *fmt;  /* path with %u = item; a second %s = the action */
    const char *act[2];
} res;
static const res RES[] = {
    {"livres",
     "^/livres/(?:notice|lire)/(?<item>\\d+)",
     "/lire/",
     NULL,
     "/livres/%s/%u",
     {"notice", "lire"}},
    {"presse",
     "^(?:www\\.)?presse\\.example\\.fr/article/(?<item>[a-z0-9-]+)",
     "",
     "www.presse.example.fr",
     "/article/%s-%u",
     {"edition", "edition"}},
    {"cairn",
     "cairn\\.example\\.org/(?:revue|ouvrage)-(?<item>[a-z0-9-]+)\\.htm",
     "ouvrage-",
     "shs.cairn.example.org",
     "/%s-%u.htm",
     {"revue", "ouvrage"}},
    {"films",
     "^/films/(?<item>\\d+)/(?:fiche|voir)",
     "/voir",
     NULL,
     "/films/%u/%s",
     {"fiche", "voir"}},
    {"musique",
     "^/musique/album/(?<item>\\d+)",
     "play=1",
     NULL,
     "/musique/album/%u?play=%s",
     {"0", "1"}},
    {"cours",
     "/cours/(?<item>[A-Za-z0-9_]+)/lecon",
     "",
     NULL,
     "/apprendre/cours/c%u/lecon?%s",
     {"p=1", "p=2"}},
    {"jeunesse",
     "^/jeunesse/(?:histoire|jeu)/(?<item>\\d+)",
     "",
     NULL,
     "/jeunesse/%s/%u",
     {"histoire", "jeu"}},
    {"code",
     "^code\\.example\\.net/(?:fiche|pratique)/(?<item>\\d+)",
     "/pratique/",
     "code.example.net",
     "/%s/%u",
     {"fiche", "pratique"}},
    {"langues",
     "^/langues/(?<item>[a-z]{2})/module/\\d+",
     "/module/",
     NULL,
     "/langues/%s/module/%u",
     {"en", "es"}},
    {"bd", "^/bd/(?<item>\\d+)/lire", "", NULL, "/bd/%u/lire%s", {"", "?page=2"}},
    {"theatre",
     "^/theatre/captation/(?<item>\\d+)",
     "",
     NULL,
     "/theatre/captation/%u%s",
     {"", "?t=120"}},
    {"magazines",
     "^kiosque\\.example\\.com/(?:mag|issue)/(?<item>\\d+)",
     "/issue/",
     "kiosque.example.com",
     "/%s/%u",
     {"mag", "issue"}},
};
#define NRES (sizeof RES / sizeof RES[0])

static const char *const ROBOTS[] = {
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; "
    "+http://www.google.com/bot.html) Chrome/124.0.6367.201 Safari/537.36",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
    "curl/8.5.0",
    "curl/7.88.1",
    "python-requests/2.31.0",
    "Wget/1.21.3",
    "Java/17.0.10",
    "Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)",
    "Mozilla/5.0 (compatible; DotBot/1.2; +https://opensiteexplorer.org/dotbot)",
};
#define NROBOTS (sizeof ROBOTS / sizeof ROBOTS[0])

/* A human user agent out of ~4 000, from a number. */
static void agent(uint64_t k, char *out, size_t n)
{
    static const char *const os[] = {"Windows NT 10.0; Win64; x64",
                                     "Macintosh; Intel Mac OS X 10_15_7",
                                     "X11; Linux x86_64",
                                     "X11; Ubuntu; Linux x86_64",
                                     "Windows NT 6.1; Win64; x64",
                                     "Linux; Android 14; SM-S918B",
                                     "Linux; Android 13; Pixel 7",
                                     "iPhone; CPU iPhone OS 17_4 like Mac OS X",
                                     "iPad; CPU OS 16_7 like Mac OS X",
                                     "Linux; Android 12; moto g(60)"};
    unsigned b = (unsigned)(k % 4), v = (unsigned)(k / 4 % 25), o = (unsigned)(k / 100 % 10),
             p = (unsigned)(k / 1000 % 4);
    switch (b) {
    case 0:
        snprintf(out, n,
                 "Mozilla/5.0 (%s) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%u.0.%u.%u "
                 "%sSafari/537.36",
                 os[o], 100 + v, 5000 + p * 300 + v * 7, 40 + p, o >= 5 ? "Mobile " : "");
        break;
    case 1:
        snprintf(out, n, "Mozilla/5.0 (%s; rv:%u.0) Gecko/20100101 Firefox/%u.0", os[o], 100 + v,
                 100 + v);
        break;
    case 2:
        snprintf(out, n,
                 "Mozilla/5.0 (%s) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/%u.%u "
                 "Mobile/15E148 Safari/604.1",
                 os[o], 14 + v % 4, p);
        break;
    default:
        snprintf(out, n,
                 "Mozilla/5.0 (%s) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%u.0.0.0 "
                 "Safari/537.36 Edg/%u.0.%u.%u",
                 os[o], 100 + v, 100 + v, 2000 + p * 11, 50 + v);
        break;
    }
}

/* A library's IPv4 range: 10.L.x.0 with prefix 24..27; IPv6 for half. */
static int lib_prefix(int l)
{
    return 24 + l % 4;
}

/* The address of patron i (fixed): at a library (60 %) or at home. */
static void patron_ip(unsigned i, char *out, size_t n)
{
    uint64_t h = mix(i + 1);
    unsigned l = (unsigned)(h % LIBS);
    unsigned where = (unsigned)(h >> 20) % 100;
    if (where < 45) {
        unsigned span = 1u << (32 - lib_prefix((int)l));
        snprintf(out, n, "10.%u.%u.%u", 40 + l / 40, l % 40 * 6,
                 1 + (unsigned)(h >> 32) % (span - 2));
    } else if (where < 60 && l % 2 == 0) {
        snprintf(out, n, "2001:db8:%x:%x::%x", 0x200 + l,
                 l % 4 == 0 ? 0 : (unsigned)(h >> 40) % 200, 1 + (unsigned)(h >> 48) % 60000);
    } else if (where < 80) {
        snprintf(out, n, "%u.%u.%u.%u", 80 + (unsigned)(h >> 8) % 100, (unsigned)(h >> 16) % 256,
                 (unsigned)(h >> 24) % 256, 1 + (unsigned)(h >> 32) % 254);
    } else {
        snprintf(out, n, "2a01:cb%02x:%x:%x:%x:%x:%x:%x", (unsigned)(h >> 8) % 256,
                 (unsigned)(h >> 16) % 65536, (unsigned)(h >> 24) % 65536,
                 (unsigned)(h >> 32) % 65536, (unsigned)(h >> 40) % 65536,
                 (unsigned)(h >> 48) % 65536, 1 + (unsigned)(h >> 56));
    }
}

typedef struct visit {
    int left;     /* clicks to go */
    int robot;    /* index + 1 into ROBOTS, 0 for a human */
    unsigned who; /* patron, or PATRONS + n for an anonymous visitor */
    int login;
    unsigned res[2];
    char ip[64], ua[300];
    char last_url[512];
    char last_host[64];
} visit;

static void new_visit(visit *v)
{
    memset(v, 0, sizeof *v);
    if (pick(1000) < 16) { /* ~5 % of lines: robots make long, fast visits */
        v->robot = 1 + (int)pick(NROBOTS);
        v->left = 20 + (int)pick(60);
        snprintf(v->ip, sizeof v->ip, "%u.%u.%u.%u", 34 + pick(40), pick(256), pick(256),
                 1 + pick(254));
        snprintf(v->ua, sizeof v->ua, "%s", ROBOTS[v->robot - 1]);
    } else {
        bool anon = pick(100) < 20;
        v->who = anon ? PATRONS + pick(1u << 30) : pick(PATRONS);
        v->login = !anon && pick(100) < 45;
        v->left = 2 + (int)pick(25);
        patron_ip(v->who, v->ip, sizeof v->ip);
        agent(mix(v->who * 7 + 3) % 4000, v->ua, sizeof v->ua);
    }
    v->res[0] = pick(NRES);
    v->res[1] = pick(NRES);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: gen_log2 OUT.log.gz NETWORK_DIR [LINES] [SEED] [MONTHS]\n");
        return 64;
    }
    long lines = argc > 3 ? atol(argv[3]) : 5000000;
    rng = argc > 4 ? strtoull(argv[4], NULL, 10) : 42;
    int months = argc > 5 ? atoi(argv[5]) : 4;
    if (!rng)
        rng = 42;
    if (months < 1 || months > 12)
        months = 4;
    char p[4096];
    snprintf(p, sizeof p, "%s/partners.csv", argv[2]);
    FILE *f = fopen(p, "w");
    if (!f) {
        perror(p);
        return 73;
    }
    fprintf(f, "id,name,kind,population,population_year,rate_per_inhabitant,emails\n");
    for (int i = 0; i < LIBS / 2; i++)
        fprintf(f, "c%02d,Commune %02d,commune,%d,2023,\"0,15\",\n", i, i, 1500 + i * 977);
    fclose(f);
    snprintf(p, sizeof p, "%s/libraries.csv", argv[2]);
    f = fopen(p, "w");
    fprintf(f, "id,partner_id,name,aliases,ip_ranges\n");
    for (int l = 0; l < LIBS; l++) {
        fprintf(f, "b%02d,c%02d,Mediatheque %02d,BIB%02d,10.%d.%d.0/%d", l, l / 2, l, l,
                40 + l / 40, l % 40 * 6, lib_prefix(l));
        if (l % 2 == 0)
            fprintf(f, l % 4 == 0 ? ";2001:db8:%x::/48" : ";2001:db8:%x::/56", 0x200 + l);
        fprintf(f, "\n");
    }
    fclose(f);
    snprintf(p, sizeof p, "%s/resources.csv", argv[2]);
    f = fopen(p, "w");
    fprintf(f, "id,name,provider,kind,annual_cost,counter_names,url_pattern,request_pattern,"
               "headline_metric\n");
    for (size_t i = 0; i < NRES; i++)
        fprintf(f, "%s,%s,Fournisseur,other,1000,,%s,%s,\n", RES[i].id, RES[i].id, RES[i].pattern,
                RES[i].request);
    fclose(f);

    gzFile gz = gzopen(argv[1], "wb6");
    if (!gz) {
        perror(argv[1]);
        return 73;
    }
    gzbuffer(gz, 256 * 1024);
    long days = 0;
    for (int m = 0; m < months; m++)
        days += MDAYS[m];
    double span = (double)days * 86400, t = 0;
    /* Busier by day: a line's step is shorter between 9:00 and 19:00. */
    double step = span / (double)lines;
    visit *act = calloc(ACTIVE, sizeof *act);
    if (!act)
        return 70;
    for (int i = 0; i < ACTIVE; i++)
        new_visit(&act[i]);
    static const char *const STATIC[] = {
        "/assets/app.css",       "/assets/app.js",         "/assets/vendor.js", "/img/logo.svg",
        "/fonts/marianne.woff2", "/img/couverture-%u.jpg", "/favicon.ico"};
    static const char *const REFS[] = {"https://www.google.fr/", "https://www.bing.com/",
                                       "https://portail.example.fr/", "-",
                                       "https://portail.example.fr/catalogue/recherche?q=%u"};
    char line[2048], path[600], ref[600];
    visit *v = NULL;
    for (long n = 0; n < lines;) {
        long ts0 = (long)t;
        int hh = (int)(ts0 % 86400 / 3600);
        t += step * (hh >= 9 && hh < 19 ? 0.6055 : 1.871); /* a mean of 1 per line */
        if (t >= span)
            t = span - 1;
        long ts = (long)t;
        if (pick(100) < 2)
            ts -= (long)pick(40);
        if (ts < 0)
            ts = 0;
        long day = ts / 86400;
        int m = 0;
        while (m < months - 1 && day >= MDAYS[m])
            day -= MDAYS[m++];
        char when[64];
        snprintf(when, sizeof when, "%02ld/%s/2026:%02ld:%02ld:%02ld +0100", day + 1, MON[m],
                 ts % 86400 / 3600, ts % 3600 / 60, ts % 60);
        /* A visit's clicks come in bursts (seconds apart), interleaved
         * with the other visits in progress. */
        if (!v || pick(100) >= 70)
            v = &act[pick(ACTIVE)];
        const char *host = NULL;
        int status = 200;
        char login[32] = "-";
        if (v->login)
            snprintf(login, sizeof login, "u%05u", v->who);
        bool again = !v->robot && v->last_url[0] && pick(100) < 4;
        if (again) {
            snprintf(path, sizeof path, "%s", v->last_url);
            host = v->last_host[0] ? v->last_host : NULL;
        } else {
            unsigned k = pick(100);
            if (v->robot ? k < 50 : k < 62) {
                const res *r = &RES[v->res[pick(2)]];
                unsigned item = v->robot ? pick(200000) : pick(3000) + pick(3000) * pick(2);
                char a[128];
                if (strstr(r->fmt, "%s") < strstr(r->fmt, "%u"))
                    snprintf(a, sizeof a, r->fmt, r->act[pick(2)], item);
                else
                    snprintf(a, sizeof a, r->fmt, item, r->act[pick(2)]);
                if (pick(100) < 25)
                    snprintf(path, sizeof path, "%s%slib=BIB%02u", a, strchr(a, '?') ? "&" : "?",
                             pick(LIBS));
                else
                    snprintf(path, sizeof path, "%s", a);
                host = r->host;
            } else if (k < 72) {
                snprintf(path, sizeof path, "/catalogue/recherche?q=mot%u&type=%s&page=%u",
                         pick(20000), pick(2) ? "livre" : "tout", 1 + pick(6));
            } else if (k < 76) {
                snprintf(path, sizeof path, "/compte/%s", pick(2) ? "connexion" : "prets");
                status = pick(2) ? 302 : 200;
            } else {
                char s[64];
                snprintf(s, sizeof s, STATIC[pick(7)], pick(5000));
                snprintf(path, sizeof path, "%s?v=%u", s, 3 + pick(3));
                status = pick(100) < 45 ? 304 : 200;
            }
            unsigned e = pick(1000);
            if (e < 25)
                status = 404;
            else if (e < 28)
                status = 500;
        }
        if (v->last_url[0] && !v->robot)
            snprintf(ref, sizeof ref, "https://%s%s",
                     v->last_host[0] ? v->last_host : "portail.example.fr", v->last_url);
        else
            snprintf(ref, sizeof ref, REFS[pick(5)], pick(20000));
        int len;
        if (host && pick(100) < 85)
            len = snprintf(line, sizeof line,
                           "%s - %s [%s] \"GET https://%s%s HTTP/1.1\" %d %u \"%s\" \"%s\"\n",
                           v->ip, login, when, host, path, status, 300 + pick(200000), ref, v->ua);
        else
            len =
                snprintf(line, sizeof line, "%s - %s [%s] \"%s %s HTTP/%s\" %d %u \"%s\" \"%s\"\n",
                         v->ip, login, when, pick(50) ? "GET" : "POST", path,
                         pick(3) ? "1.1" : "2.0", status, 300 + pick(200000), ref, v->ua);
        if (len <= 0 || (size_t)len >= sizeof line)
            return 70;
        gzwrite(gz, line, (unsigned)len);
        n++;
        if (!again && !strstr(path, "/assets/") && !strstr(path, "/img/") &&
            !strstr(path, "/fonts/")) {
            snprintf(v->last_url, sizeof v->last_url, "%s", path);
            snprintf(v->last_host, sizeof v->last_host, "%s", host ? host : "");
        }
        if (--v->left <= 0)
            new_visit(v);
    }
    free(act);
    return gzclose(gz) == Z_OK ? 0 : 74;
}
