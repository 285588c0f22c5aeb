/* Cortex-M4 firmware (QEMU mps2-an386): runs the device subset of the conformance vectors
 * through the stepstone C API (sampling, backoff, next hop over compact catalogs, streamed
 * signature and manifest verification of real signed images, manifest first), every attack of
 * attacks.json through the install chain (signed catalog, manifest first, streamed image,
 * verified facts) and the argument rules (misaligned contexts refused, not faulted), output
 * over semihosting.
 * Every call into the library runs on a painted stack, and the deepest word it touched gives
 * the peak stack: per entry point ("peak stack of NAME: N bytes") and over all calls
 * ("peak stack: N bytes", read by scripts/size-report.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAINT_BYTES 16384u
#define PAINT_WORD 0xA5C3A5C3u

static uint32_t peak_stack;

/* Peak per entry point, keyed by the call's text up to its '(' (MEASURE's `#call`). */
static struct {
  const char *call;
  size_t name_len;
  uint32_t peak;
} peaks[32];

static void note_peak(const char *call, uint32_t used) {
  size_t n = strcspn(call, "( ");
  size_t i = 0;
  if (used > peak_stack) peak_stack = used;
  for (; i < sizeof peaks / sizeof peaks[0] && peaks[i].call; i++)
    if (peaks[i].name_len == n && strncmp(peaks[i].call, call, n) == 0) break;
  if (i == sizeof peaks / sizeof peaks[0]) return;
  if (!peaks[i].call) peaks[i].call = call, peaks[i].name_len = n;
  if (used > peaks[i].peak) peaks[i].peak = used;
}

static inline uintptr_t current_sp(void) {
  uintptr_t sp;
  __asm volatile("mov %0, sp" : "=r"(sp));
  return sp;
}

/* Paint below the stack pointer, make the call, find the deepest word it wrote. */
#define MEASURE(call)                                                                    \
  ({                                                                                     \
    uintptr_t sp_ = current_sp();                                                        \
    volatile uint32_t *lo_ = (volatile uint32_t *)((sp_ - PAINT_BYTES) & ~(uintptr_t)3); \
    for (volatile uint32_t *p_ = lo_; p_ < (volatile uint32_t *)sp_; p_++) *p_ = PAINT_WORD; \
    int32_t r_ = (call);                                                                 \
    volatile uint32_t *q_ = lo_;                                                         \
    while (q_ < (volatile uint32_t *)sp_ && *q_ == PAINT_WORD) q_++;                     \
    note_peak(#call, (uint32_t)(sp_ - (uintptr_t)q_));                                   \
    r_;                                                                                  \
  })

#define REPORT printf
#include "run_vectors.c"

/* Replaces the library's weak, empty `stepstone_panic_hook`: no input reaches a panic, but if
 * one did, say so and stop with a distinct exit code (a product would log and reset). */
void stepstone_panic_hook(void) {
  printf("stepstone: panic\n");
  exit(97);
}

int main(void) {
  printf("stepstone-device on Cortex-M4 (QEMU mps2-an386)\n");
  run_vectors();
  for (size_t i = 0; i < sizeof peaks / sizeof peaks[0] && peaks[i].call; i++)
    printf("peak stack of %.*s: %lu bytes\n", (int)peaks[i].name_len, peaks[i].call,
           (unsigned long)peaks[i].peak);
  printf("peak stack: %lu bytes\n", (unsigned long)peak_stack);
  printf("%u passed, %u failed\n", passed, failed);
  return failed ? 1 : 0;
}
