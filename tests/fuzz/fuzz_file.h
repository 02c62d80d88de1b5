/* fuzz_file: the step every harness shares: the fuzzer's bytes into a fresh temporary file, since the
 * code under test reads paths. The caller unlinks the file. */
#ifndef WS_FUZZ_FILE_H
#define WS_FUZZ_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

/* Writes data into a new file named from template (ending in XXXXXX, rewritten in place).
 * Returns 0 when the file holds exactly data; -1 (and no file left behind) otherwise. */
static inline int fuzz_file_write(char *template, const uint8_t *data, size_t size)
{
    int fd = mkstemp(template);
    if (fd < 0)
        return -1;
    int ok = write(fd, data, size) == (ssize_t)size;
    close(fd);
    if (!ok) {
        unlink(template);
        return -1;
    }
    return 0;
}

#endif
