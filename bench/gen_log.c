/* Generates a realistic gzip'd Apache combined log of a departmental portal,
 * deterministically from a seed, and the matching network folder:
 *   gen_log OUT.log.gz NETWORK_DIR [LINES] [SEED]
 * 40 libraries with /24 ranges (plus home users in no range), 12 resources,
 * ~8 % robot lines (COUNTER-listed agents), double clicks, 404s and 304s,
 * static assets, lines in time order over one month with a little jitter. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

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

static const char *const AGENTS[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/123.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/123.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:124.0) Gecko/20100101 Firefox/124.0",
};
static const char *const BOTS[] = {
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "curl/8.5.0",
    "python-requests/2.31.0",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
};
static const char *const RES[] = {"livres",   "presse", "films",     "musique", "cours", "jeux",
                                  "jeunesse", "bd",     "magazines", "langues", "code",  "theatre"};
static const char *const MON[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: gen_log OUT.log.gz NETWORK_DIR [LINES] [SEED]\n");
        return 64;
    }
    long lines = argc > 3 ? atol(argv[3]) : 5000000;
    rng = argc > 4 ? strtoull(argv[4], NULL, 10) : 42;
    if (!rng)
        rng = 42;
    char p[4096];
    snprintf(p, sizeof p, "%s/partners.csv", argv[2]);
    FILE *f = fopen(p, "w");
    if (!f) {
        perror(p);
        return 73;
    }
    fprintf(f, "id,name,kind,population,population_year,rate_per_inhabitant,emails\n");
    for (int i = 0; i < 40; i++)
        fprintf(f, "p%02d,Commune %02d,commune,%d,2023,\"0,15\",\n", i, i, 2000 + i * 731);
    fclose(f);
    snprintf(p, sizeof p, "%s/libraries.csv", argv[2]);
    f = fopen(p, "w");
    fprintf(f, "id,partner_id,name,aliases,ip_ranges\n");
    for (int i = 0; i < 40; i++)
        fprintf(f, "lib%02d,p%02d,Bibliotheque %02d,LIB%02d,10.%d.%d.0/24;2001:db8:%x::/48\n", i, i,
                i, i, 20 + i / 10, i, 0x100 + i);
    fclose(f);
    snprintf(p, sizeof p, "%s/resources.csv", argv[2]);
    f = fopen(p, "w");
    fprintf(f, "id,name,provider,kind,annual_cost,counter_names,url_pattern,request_pattern,"
               "headline_metric\n");
    for (int i = 0; i < 12; i++)
        fprintf(f, "%s,%s,Fournisseur,other,1000,,^/%s/(?:notice|lire)/(?<item>\\d+),/lire/,\n",
                RES[i], RES[i], RES[i]);
    fclose(f);

    gzFile gz = gzopen(argv[1], "wb6");
    if (!gz) {
        perror(argv[1]);
        return 73;
    }
    gzbuffer(gz, 256 * 1024);
    /* One month (March 2026): 31 days of seconds spread over the lines. */
    double step = 31.0 * 86400 / (double)lines;
    double t = 0;
    char prev[2048] = "";
    for (long n = 0; n < lines; n++) {
        t += step;
        long ts = (long)t;
        if (pick(100) < 2)
            ts -= (long)pick(60); /* a little disorder from merged servers */
        if (ts < 0)
            ts = 0;
        if (ts >= 31L * 86400)
            ts = 31L * 86400 - 1;
        int day = (int)(ts / 86400) + 1, hh = (int)(ts % 86400 / 3600), mm = (int)(ts % 3600 / 60),
            ss = (int)(ts % 60);
        if (prev[0] && pick(100) < 3) {
            /* A double click: the previous request again, a few seconds on. */
            gzprintf(gz, "%s", prev);
            continue;
        }
        char ip[64];
        unsigned who = pick(100);
        if (who < 6)
            snprintf(ip, sizeof ip, "2001:db8:%x::%x", 0x100 + pick(40), 1 + pick(4000));
        else if (who < 85)
            snprintf(ip, sizeof ip, "10.%u.%u.%u", 20 + pick(40) / 10, pick(40), 1 + pick(250));
        else
            snprintf(ip, sizeof ip, "%u.%u.%u.%u", 80 + pick(100), pick(256), pick(256),
                     1 + pick(250));
        const char *ua = pick(100) < 8 ? BOTS[pick(5)] : AGENTS[pick(6)];
        char path[256];
        unsigned k = pick(100);
        if (k < 30)
            snprintf(path, sizeof path, "/static/%s.%s", pick(2) ? "app" : "logo",
                     pick(2) ? "css" : "png");
        else if (k < 40)
            snprintf(path, sizeof path, "/recherche?q=mot%u&page=%u", pick(5000), 1 + pick(5));
        else
            snprintf(path, sizeof path, "/%s/%s/%u?lib=LIB%02u", RES[pick(12)],
                     pick(3) ? "lire" : "notice", pick(20000), pick(40));
        unsigned st = pick(100);
        int status = st < 4 ? 404 : st < 10 ? 304 : 200;
        const char *user = pick(100) < 20 ? "lecteur" : "-";
        char uid[32] = "-";
        if (user[0] != '-')
            snprintf(uid, sizeof uid, "lecteur%u", pick(30000));
        int len = snprintf(prev, sizeof prev,
                           "%s - %s [%02d/%s/2026:%02d:%02d:%02d +0100] \"GET %s HTTP/1.1\" %d %u "
                           "\"https://portail.example.fr/\" \"%s\"\n",
                           ip, uid, day, MON[2], hh, mm, ss, path, status, 200 + pick(90000), ua);
        if (len <= 0 || (size_t)len >= sizeof prev)
            return 70;
        gzwrite(gz, prev, (unsigned)len);
    }
    return gzclose(gz) == Z_OK ? 0 : 74;
}
