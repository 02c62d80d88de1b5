/* cmd_plot: placeholder until `wattscale plot` lands (being written in this session). */
#include <stdio.h>

#include "commands.h"

int cmd_plot(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "wattscale plot: not implemented yet\n");
    return 2;
}
