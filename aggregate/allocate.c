/* Network-level totals shared among partners (docs/profiles.md, issue 13
 * part 3): integer shares by the largest-remainder method (Hamilton's), so
 * that the shares always add up to the provider's total. Pure. */
#include "bilan/aggregate.h"

/* total × weight needs 94 bits at the bounds (10^12 × 10^9 × partners). */
__extension__ typedef __int128 i128;

bool bl_allocate_shares(int64_t total, const int64_t *weights, size_t n, int64_t *shares)
{
    i128 sum = 0;
    for (size_t i = 0; i < n; i++) {
        shares[i] = 0;
        if (weights[i] > 0)
            sum += weights[i];
    }
    if (total <= 0)
        return true;
    if (sum == 0)
        return false;
    /* Quotas total × w / W: their floors first, then one unit each to the
     * largest remainders (ties: the lower index, i.e. the partner id first),
     * as many as the floors left over (fewer than n). */
    i128 given = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t w = weights[i] > 0 ? weights[i] : 0;
        shares[i] = (int64_t)((i128)total * w / sum);
        given += shares[i];
    }
    int64_t left = (int64_t)(total - given);
    while (left > 0) {
        size_t best = n;
        i128 best_rem = -1;
        for (size_t i = 0; i < n; i++) {
            int64_t w = weights[i] > 0 ? weights[i] : 0;
            if (w == 0)
                continue;
            i128 rem = (i128)total * w % sum;
            /* A partner already given its extra unit has a remainder below
             * every other's: compare against quotas already rounded up. */
            if ((i128)shares[i] * sum > (i128)total * w)
                continue;
            if (rem > best_rem) {
                best_rem = rem;
                best = i;
            }
        }
        if (best == n)
            break; /* cannot happen: fewer units left than partners with weight */
        shares[best]++;
        left--;
    }
    return true;
}

bool bl_allocate_month(int64_t total, bl_alloc_basis basis, const int64_t *population,
                       const int64_t *log_usage, size_t n, int64_t *shares, bool *fell_back)
{
    *fell_back = false;
    if (basis == BL_BASIS_LOGS) {
        int64_t any = 0;
        for (size_t i = 0; i < n; i++)
            any |= log_usage[i] > 0;
        if (any)
            return bl_allocate_shares(total, log_usage, n, shares);
        *fell_back = true;
    }
    return bl_allocate_shares(total, population, n, shares);
}
