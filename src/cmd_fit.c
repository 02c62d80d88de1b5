/* cmd_fit: placeholder until `wattscale fit` lands (being written in this session). */
#include <stdio.h>

#include "commands.h"

int cmd_fit(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "wattscale fit: not implemented yet\n");
    return 2;
}
