/* Generates a COUNTER R5 TR (title master report) of N data rows as a French
 * spreadsheet saves it ("CSV (séparateur : point-virgule)"), deterministically
 * from a seed, for the second COUNTER CSV benchmark (issue 18): a UTF-8 BOM,
 * CRLF line ends, semicolons, header rows padded with empty cells to the
 * table's width, month headings as Excel writes them ("janv-25", "févr-25"),
 * zeros written out, cells holding semicolons or quotes quoted with "" inside,
 * four metrics per title, Regular and a few TDM rows, five platforms.
 *   gen_tr ROWS SEED > tr.csv */
#include <stdio.h>
#include <stdlib.h>

static unsigned long long state;

static unsigned rnd(unsigned n)
{
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((state >> 33) % n);
}

#define NCOLS 29 /* 17 columns before the months, 12 months */

static void header(const char *key, const char *value)
{
    printf("%s;%s", key, value);
    for (int i = 2; i < NCOLS; i++)
        putchar(';');
    printf("\r\n");
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: gen_tr ROWS SEED\n");
        return 64;
    }
    long rows = atol(argv[1]);
    state = strtoull(argv[2], NULL, 10);
    static const char *const months[] = {"janv", "févr", "mars", "avr", "mai", "juin",
                                         "juil", "août", "sept", "oct", "nov", "déc"};
    static const char *const platforms[] = {"Cairn.info", "OpenEdition Journals", "Persée",
                                            "Numérique Premium", "Europresse; archives"};
    static const char *const words[] = {"Revue",    "histoire",  "moderne", "sociologie", "du",
                                        "travail",  "Cahiers",   "études",  "rurales",    "Annales",
                                        "économie", "politique", "l'école", "française",  "arts"};
    static const char *const metrics[] = {"Total_Item_Investigations", "Unique_Item_Investigations",
                                          "Total_Item_Requests", "Unique_Item_Requests"};
    printf("\xEF\xBB\xBF");
    header("Report_Name", "Title Master Report");
    header("Report_ID", "TR");
    header("Release", "5");
    header("Institution_Name", "\"Réseau des médiathèques; Hautes-Collines\"");
    header("Institution_ID", "Proprietary:hc:DEP-HC");
    header("Metric_Types", "Total_Item_Investigations; Unique_Item_Investigations; "
                           "Total_Item_Requests; Unique_Item_Requests");
    header("Report_Filters", "Data_Type=Journal; Access_Type=Controlled");
    header("Report_Attributes", "Attributes_To_Show=Data_Type|Section_Type|YOP|Access_Type|"
                                "Access_Method");
    header("Exceptions", "");
    header("Reporting_Period", "Begin_Date=2025-01-01; End_Date=2025-12-31");
    header("Created", "2026-01-08T09:30:00Z");
    header("Created_By", "\"Fournisseur \"\"Éditions numériques\"\"\"");
    for (int i = 1; i < NCOLS; i++)
        putchar(';');
    printf("\r\n");
    printf("Title;Publisher;Publisher_ID;Platform;DOI;Proprietary_ID;Print_ISSN;Online_ISSN;URI;"
           "Data_Type;Section_Type;YOP;Access_Type;Access_Method;Metric_Type;"
           "Reporting_Period_Total");
    for (int m = 0; m < 12; m++)
        printf(";%s-25", months[m]);
    printf("\r\n");
    long title = 0;
    for (long r = 0; r < rows; title++) {
        char name[160];
        int n = 0, kind = (int)rnd(10);
        unsigned nw = 2 + rnd(5);
        for (unsigned w = 0; w < nw; w++)
            n += snprintf(name + n, sizeof name - (size_t)n, "%s%s", w ? " " : "",
                          words[rnd(sizeof words / sizeof words[0])]);
        const char *platform = platforms[rnd(5)];
        unsigned pub = rnd(300), yop = 1990 + rnd(36);
        int tdm = rnd(50) == 0;
        int base[12];
        for (int m = 0; m < 12; m++)
            base[m] = rnd(3) == 0 ? 0 : (int)rnd(60);
        for (int k = 0; k < 4 && r < rows; k++, r++) {
            /* the title: plain, with a semicolon (quoted), or with quotes */
            if (kind == 0)
                printf("\"%s; série %ld\";", name, title);
            else if (kind == 1)
                printf("\"Le \"\"%s\"\" n° %ld\";", name, title);
            else
                printf("%s %ld;", name, title);
            printf("Éditions %u;ISNI:0000%08u;", pub, pub * 7919u);
            if (platform[0] == 'E')
                printf("\"%s\";", platform);
            else
                printf("%s;", platform);
            printf("10.%u/j.%ld;EP:%ld;%04ld-%04ld;%04ld-%04ldX;https://revues.example/%ld;"
                   "Journal;Article;%u;Controlled;%s;%s;",
                   4000 + pub, title, title, title % 10000, (title * 7) % 10000, title % 9999,
                   (title * 3) % 10000, title, yop, tdm ? "TDM" : "Regular", metrics[k]);
            int v[12], total = 0;
            for (int m = 0; m < 12; m++) {
                v[m] = k & 1 ? base[m] / 2 : base[m]; /* unique <= total */
                total += v[m];
            }
            printf("%d", total);
            for (int m = 0; m < 12; m++)
                if (v[m] || rnd(8))
                    printf(";%d", v[m]);
                else
                    printf(";"); /* a cell left empty */
            printf("\r\n");
        }
    }
    return 0;
}
