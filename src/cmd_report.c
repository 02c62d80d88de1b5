/* cmd_report: placeholder until `wattscale report` lands (being written in this session). */
#include <stdio.h>

#include "commands.h"

int cmd_report(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "wattscale report: not implemented yet\n");
    return 2;
}
