/* Trust tests, reports area (issue 12): see docs/trust.md for the rules. */
#include <criterion/criterion.h>

#include "trust_util.h"
