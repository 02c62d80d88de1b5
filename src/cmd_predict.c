/* cmd_predict: placeholder until `wattscale predict` lands (being written in this session). */
#include <stdio.h>

#include "commands.h"

int cmd_predict(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "wattscale predict: not implemented yet\n");
    return 2;
}
