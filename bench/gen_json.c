/* Generates a COUNTER JSON report of N items, deterministically from a seed,
 * for the JSON ingest benchmark; two differently built inputs:
 *   gen_json r51-ir ITEMS SEED > ir.json   R5.1 IR: parents with Items, keyed
 *                                           Performance maps, ~30 % of the
 *                                           months omitted (zero), Regular and TDM
 *   gen_json r50-tr ITEMS SEED > tr.json   R5.0 TR: Item_ID arrays, Performance
 *                                           arrays of Period + Instance, pretty-printed
 *   gen_json r51-tr ITEMS SEED > tr51.json R5.1 TR over 24 months, indented as
 *                                           Python's json.dumps(indent=2) writes
 *                                           it: 1-3 attribute groups (YOP, Open or
 *                                           Controlled) of four metrics, ~10 % of
 *                                           the months omitted */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long state;

static unsigned rnd(unsigned n)
{
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((state >> 33) % n);
}

static const char *const months[] = {"2025-01", "2025-02", "2025-03", "2025-04",
                                     "2025-05", "2025-06", "2025-07", "2025-08",
                                     "2025-09", "2025-10", "2025-11", "2025-12"};
static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

static void r51_counts(void)
{
    printf("{");
    int k = 0;
    for (int m = 0; m < 12; m++) {
        if (rnd(10) < 3)
            continue; /* R5.1 omits zero months */
        printf("%s\"%s\":%u", k++ ? "," : "", months[m], 1 + rnd(500));
    }
    if (!k)
        printf("\"2025-06\":1");
    printf("}");
}

static void r51_ir(long items)
{
    printf("{\"Report_Header\":{\"Release\":\"5.1\",\"Report_ID\":\"IR\",\"Report_Name\":\"Item "
           "Report\",\"Created\":\"2026-01-05T10:00:00Z\",\"Created_By\":\"Éditions "
           "Bench\",\"Institution_ID\":{\"ISNI\":[\"0000000000000042\"]},\"Institution_Name\":"
           "\"Département des Hautes-Collines\",\"Report_Filters\":{\"Begin_Date\":\"2025-01-"
           "01\",\"End_Date\":\"2025-12-31\"}},\"Report_Items\":[");
    for (long i = 0; i < items;) {
        printf("%s{\"Title\":\"Parent %ld\",\"Data_Type\":\"Book\",\"Item_ID\":{\"DOI\":\"10."
               "9999/p%ld\",\"Proprietary\":\"B:P%ld\"},\"Items\":[",
               i ? "," : "", i, i, i);
        unsigned kids = 1 + rnd(4);
        for (unsigned k = 0; k < kids && i < items; k++, i++) {
            printf("%s{\"Item\":\"Chapitre %ld — «%u»\",\"Publisher\":\"Éditions Bench\","
                   "\"Platform\":\"Plateforme %u\",\"Item_ID\":{\"DOI\":\"10.9999/i%ld\"},"
                   "\"Attribute_Performance\":[",
                   k ? "," : "", i, rnd(1000), rnd(3), i);
            unsigned groups = 1 + (rnd(5) == 0);
            for (unsigned g = 0; g < groups; g++) {
                printf("%s{\"Data_Type\":\"Book_Segment\",\"YOP\":\"%u\",\"Access_Type\":"
                       "\"Controlled\",\"Access_Method\":\"%s\",\"Performance\":{"
                       "\"Total_Item_Investigations\":",
                       g ? "," : "", 2000 + rnd(25), g ? "TDM" : "Regular");
                r51_counts();
                printf(",\"Total_Item_Requests\":");
                r51_counts();
                printf(",\"Unique_Item_Requests\":");
                r51_counts();
                printf("}}");
            }
            printf("]}");
        }
        printf("]}");
    }
    printf("]}\n");
}

static void r50_tr(long items)
{
    printf("{\n  \"Report_Header\": {\n    \"Report_Name\": \"Title Master Report\",\n"
           "    \"Report_ID\": \"TR\",\n    \"Release\": \"5\",\n"
           "    \"Institution_Name\": \"Département des Hautes-Collines\",\n"
           "    \"Institution_ID\": [{\"Type\": \"Proprietary\", \"Value\": \"hc:DEP-HC\"}],\n"
           "    \"Report_Filters\": [\n      {\"Name\": \"Begin_Date\", \"Value\": "
           "\"2025-01-01\"},\n      {\"Name\": \"End_Date\", \"Value\": \"2025-12-31\"}\n"
           "    ],\n    \"Created\": \"2026-01-05T10:00:00Z\",\n"
           "    \"Created_By\": \"Presse Bench\"\n  },\n  \"Report_Items\": [\n");
    for (long i = 0; i < items; i++) {
        printf("%s    {\n      \"Title\": \"Journal %ld\",\n      \"Publisher\": \"Presse "
               "Bench\",\n      \"Platform\": \"Kiosque %u\",\n      \"Item_ID\": [\n"
               "        {\"Type\": \"Online_ISSN\", \"Value\": \"%04u-%04u\"},\n"
               "        {\"Type\": \"Proprietary\", \"Value\": \"K:%ld\"}\n      ],\n"
               "      \"Data_Type\": \"Journal\",\n      \"YOP\": \"%u\",\n"
               "      \"Access_Type\": \"Controlled\",\n      \"Access_Method\": \"Regular\",\n"
               "      \"Performance\": [\n",
               i ? ",\n" : "", i, rnd(4), rnd(10000), rnd(10000), i, 2010 + rnd(16));
        for (int m = 0; m < 12; m++)
            printf("        {\"Period\": {\"Begin_Date\": \"%s-01\", \"End_Date\": \"%s-%02d\"},"
                   " \"Instance\": [{\"Metric_Type\": \"Total_Item_Requests\", \"Count\": %u}, "
                   "{\"Metric_Type\": \"Unique_Item_Requests\", \"Count\": %u}]}%s\n",
                   months[m], months[m], mdays[m], 1 + rnd(300), 1 + rnd(100), m < 11 ? "," : "");
        printf("      ]\n    }");
    }
    printf("\n  ]\n}\n");
}

static void r51_tr(long items)
{
    static const char *const metrics[] = {"Total_Item_Investigations", "Total_Item_Requests",
                                          "Unique_Item_Investigations", "Unique_Item_Requests"};
    printf("{\n  \"Report_Header\": {\n    \"Report_Name\": \"Title Report\",\n"
           "    \"Report_ID\": \"TR\",\n    \"Release\": \"5.1\",\n"
           "    \"Institution_Name\": \"D\\u00e9partement des Hautes-Collines\",\n"
           "    \"Institution_ID\": {\n      \"ISNI\": [\n        \"0000000000000042\"\n      ]\n"
           "    },\n    \"Report_Filters\": {\n      \"Begin_Date\": \"2024-01-01\",\n"
           "      \"End_Date\": \"2025-12-31\"\n    },\n"
           "    \"Created\": \"2026-01-05T10:00:00Z\",\n    \"Created_By\": \"Revues Bench\"\n"
           "  },\n  \"Report_Items\": [\n");
    for (long i = 0; i < items; i++) {
        printf("%s    {\n      \"Title\": \"Revue %ld\",\n      \"Item_ID\": {\n"
               "        \"Online_ISSN\": \"%04u-%04u\",\n        \"Proprietary\": \"R:%ld\"\n"
               "      },\n      \"Platform\": \"Plateforme %u\",\n"
               "      \"Publisher\": \"Revues Bench\",\n      \"Attribute_Performance\": [\n",
               i ? ",\n" : "", i, rnd(10000), rnd(10000), i, rnd(3));
        unsigned groups = 1 + rnd(3);
        for (unsigned g = 0; g < groups; g++) {
            printf("%s        {\n          \"Data_Type\": \"Journal\",\n"
                   "          \"YOP\": \"%u\",\n          \"Access_Type\": \"%s\",\n"
                   "          \"Access_Method\": \"Regular\",\n          \"Performance\": {\n",
                   g ? ",\n" : "", 2000 + rnd(26), rnd(4) ? "Controlled" : "Open");
            for (int k = 0; k < 4; k++) {
                printf("%s            \"%s\": {\n", k ? ",\n" : "", metrics[k]);
                int n = 0;
                for (int m = 0; m < 24; m++) {
                    if (rnd(10) == 0 && !(m == 23 && n == 0))
                        continue; /* R5.1 omits zero months */
                    printf("%s              \"%d-%02d\": %u", n++ ? ",\n" : "", 2024 + m / 12,
                           1 + m % 12, 1 + rnd(k < 2 ? 900 : 300));
                }
                printf("\n            }");
            }
            printf("\n          }\n        }");
        }
        printf("\n      ]\n    }");
    }
    printf("\n  ]\n}\n");
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[1], "r51-ir") != 0 && strcmp(argv[1], "r50-tr") != 0 &&
                      strcmp(argv[1], "r51-tr") != 0)) {
        fprintf(stderr, "usage: gen_json r51-ir|r50-tr|r51-tr ITEMS SEED\n");
        return 64;
    }
    long items = atol(argv[2]);
    state = strtoull(argv[3], NULL, 10);
    if (strcmp(argv[1], "r51-ir") == 0)
        r51_ir(items);
    else if (strcmp(argv[1], "r51-tr") == 0)
        r51_tr(items);
    else
        r50_tr(items);
    return 0;
}
