/* TEMPORARY: 'bilan mail' is not built yet; this file is replaced when it lands. */
#include "cli.h"

#include <stdio.h>

int cmd_mail(bl_cli *cli, int argc, char **argv)
{
    (void)cli, (void)argc, (void)argv;
    cli_error("'mail' is not implemented yet");
    return BL_EX_SOFTWARE;
}
