/* Link-order check (scripts/test-device.sh): a firmware that calls the C library's memory
 * functions and the stepstone library, linked with the library *before* the C library, as a
 * build system may well order them. The script asks the linker (--trace-symbol) where memcpy,
 * memset, memcmp and memmove came from: they must come from the firmware's libc, not from the
 * library (whose archive used to offer compiler_builtins' weak ones, which then served the
 * whole firmware). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "stepstone.h"

static uint8_t a[256], b[256];
static volatile size_t n = sizeof a; /* a size the compiler cannot see: real calls, no inlining */

int main(void) {
  bool sampled = false;
  memset(a, 0x5a, n);
  memcpy(b, a, n);
  memmove(a + 1, a, n - 1);
  int32_t st = stepstone_sample_is_below(1, 2, &sampled);
  return memcmp(a, b, n) != 0 && st == STEPSTONE_OK && sampled ? 0 : 1;
}
