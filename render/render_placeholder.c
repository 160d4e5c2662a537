/* TEMPORARY: replaced by the render layer. */
#include "bilan/common.h"
int bl__render_placeholder(void);
int bl__render_placeholder(void) { return 0; }
