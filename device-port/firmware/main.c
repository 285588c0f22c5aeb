/* Cortex-M4 firmware (QEMU mps2-an386): runs the device subset of the conformance vectors
 * through the stepstone C API (sampling, backoff, next hop over compact catalogs, streamed
 * signature and manifest verification of real signed images), output over semihosting.
 * Every call into the library runs on a painted stack, and the deepest word it touched gives
 * the peak stack, printed as "peak stack: N bytes". */
#include <stdio.h>

#define PAINT_BYTES 16384u
#define PAINT_WORD 0xA5C3A5C3u

static uint32_t peak_stack;

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
    uint32_t used_ = (uint32_t)(sp_ - (uintptr_t)q_);                                    \
    if (used_ > peak_stack) peak_stack = used_;                                          \
    r_;                                                                                  \
  })

#define REPORT printf
#include "run_vectors.c"

int main(void) {
  printf("stepstone-device on Cortex-M4 (QEMU mps2-an386)\n");
  run_vectors();
  printf("peak stack: %lu bytes\n", (unsigned long)peak_stack);
  printf("%u passed, %u failed\n", passed, failed);
  return failed ? 1 : 0;
}
