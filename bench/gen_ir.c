/* Generates a COUNTER R5 IR_M1 (multimedia item requests) report of N rows,
 * deterministically from a seed, for the COUNTER ingest benchmark.
 *   gen_ir ROWS SEED > ir.csv */
#include <stdio.h>
#include <stdlib.h>

static unsigned long long state;

static unsigned rnd(unsigned n)
{
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((state >> 33) % n);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: gen_ir ROWS SEED\n");
        return 64;
    }
    long rows = atol(argv[1]);
    state = strtoull(argv[2], NULL, 10);
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    printf("Report_Name,Multimedia Item Requests\nReport_ID,IR_M1\nRelease,5\n"
           "Institution_Name,Département des Hautes-Collines\n"
           "Institution_ID,Proprietary:hc:DEP-HC\nMetric_Types,Total_Item_Requests\n"
           "Report_Filters,Data_Type=Multimedia; Access_Method=Regular\nReport_Attributes,\n"
           "Exceptions,\nReporting_Period,Begin_Date=2025-01-01; End_Date=2025-12-31\n"
           "Created,2026-01-05T10:00:00Z\nCreated_By,CinéLib\n\n");
    printf("Item,Publisher,Publisher_ID,Platform,DOI,Proprietary_ID,URI,Metric_Type,"
           "Reporting_Period_Total");
    for (int m = 0; m < 12; m++)
        printf(",%s-2025", months[m]);
    printf("\n");
    static const char *const platforms[] = {"CinéLib", "SonoThèque", "LudoNum Jeux"};
    for (long r = 0; r < rows; r++) {
        int v[12], total = 0;
        for (int m = 0; m < 12; m++)
            total += v[m] = rnd(4) == 0 ? 0 : (int)rnd(40);
        printf("\"Film n° %ld, version restaurée\",Éditions %u,,%s,,CL:%ld,"
               "https://vod.example/film/%ld,Total_Item_Requests,%d",
               r, rnd(500), platforms[rnd(3)], r, r, total);
        for (int m = 0; m < 12; m++)
            if (v[m])
                printf(",%d", v[m]);
            else
                printf(",");
        printf("\n");
    }
    return 0;
}
