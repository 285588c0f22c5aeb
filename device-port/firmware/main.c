/* Test firmware for every Cortex-M profile on QEMU (scripts/test-device.sh): runs the device
 * subset of the conformance vectors through the stepstone C API (sampling, backoff, next hop
 * over compact catalogs, streamed signature and manifest verification of real signed images,
 * manifest first), every attack of attacks.json through the install chain (signed catalog,
 * manifest first, streamed image, verified facts) and the argument rules (misaligned contexts
 * refused, not faulted), output over semihosting. Built with startup.c and the board's linker
 * script; VECTOR_GROUPS (run_vectors.c) selects part of the vectors on a small board.
 *
 * Every call into the library is measured:
 * - stack: the stack region (from the linker script's __stack_limit up to the stack pointer) is
 *   painted before the call, and the deepest word written is its stack use. Per entry point
 *   ("peak stack of NAME: N bytes") and over all calls ("peak stack: N bytes", which
 *   scripts/size-report.sh reads). A call that wrote the region's last word fails the run.
 * - instructions: SysTick counts the core clock (its 24 bits extended by its interrupt). Under
 *   QEMU's `-icount shift=0` the virtual clock advances 1 ns per instruction, so ticks are
 *   instructions times a constant, measured first with a loop of known length. The most any call
 *   of an entry point took ("instructions of NAME: N"), and "instructions per ECDSA verify: N"
 *   (the most of `stepstone_verify_finish_key`: SHA-256 padding, key and signature parsing and
 *   one ECDSA P-256 verification). Without -icount these counts mean nothing. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAINT_WORD 0xA5C3A5C3u

#if defined(__ARM_ARCH_6M__)
#define ARCH "ARMv6-M"
#elif defined(__ARM_ARCH_7EM__)
#define ARCH "ARMv7E-M"
#elif defined(__ARM_ARCH_7M__)
#define ARCH "ARMv7-M"
#elif defined(__ARM_ARCH_8M_MAIN__)
#define ARCH "ARMv8-M Mainline"
#else
#define ARCH "Arm"
#endif
#if defined(__ARM_PCS_VFP)
#define FLOAT_ABI "hard-float ABI"
#else
#define FLOAT_ABI "soft-float ABI"
#endif
#ifndef BOARD
#define BOARD "QEMU"
#endif

extern uint32_t __stack_limit;

static uint32_t peak_stack;
static int stack_exhausted;

/* Per entry point, keyed by the call's text up to its '(' (MEASURE's `#call`). */
static struct {
  const char *call;
  size_t name_len;
  uint32_t peak;
  uint64_t instructions;
} peaks[32];

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
static volatile uint32_t systick_wraps;
void SysTick_Handler(void) { systick_wraps++; }

/* SysTick ticks since start. The counter runs 0, 0xFFFFFF, ..., 1, 0, ...; the interrupt comes
 * as it reaches 0, which is counted as the start of the next period. Under -icount QEMU raises it
 * at the exact instruction, so a read never pairs a counter of one period with the wrap count of
 * another (on silicon the read could race the interrupt by a few cycles). */
static uint64_t ticks(void) {
  uint32_t w, v;
  do {
    w = systick_wraps;
    v = SYST_CVR;
  } while (w != systick_wraps);
  return ((uint64_t)w << 24) + ((0x1000000u - v) & 0xFFFFFFu);
}

/* Ticks that 2^21 instructions take: 2^20 rounds of a two-instruction loop. */
#define CALIBRATION_INSTRUCTIONS (1u << 21)
static uint64_t calibration_ticks;

static void timer_start(void) {
  SYST_RVR = 0xFFFFFFu;
  SYST_CVR = 0;
  SYST_CSR = 7; /* processor clock, interrupt on wrap, enabled */
  while (SYST_CVR == 0) {
  } /* the first tick loads the reload value */
  uint32_t n = CALIBRATION_INSTRUCTIONS / 2;
  uint64_t t0 = ticks();
  /* GCC switches to divided syntax around inline assembly for ARMv6-M, and back after it. */
  __asm volatile(".syntax unified\n1: subs %0, %0, #1\n bne 1b" : "+l"(n) : : "cc");
  calibration_ticks = ticks() - t0;
}

static uint64_t instructions(uint64_t t) {
  return calibration_ticks ? (t * CALIBRATION_INSTRUCTIONS + calibration_ticks / 2) / calibration_ticks
                           : 0;
}

static void note_call(const char *call, uint32_t used, uint64_t t, int exhausted) {
  size_t n = strcspn(call, "( ");
  size_t i = 0;
  uint64_t insns = instructions(t);
  if (used > peak_stack) peak_stack = used;
  if (exhausted && !stack_exhausted) {
    stack_exhausted = 1;
    printf("FAIL: %.*s used the whole stack region (%lu bytes)\n", (int)n, call,
           (unsigned long)used);
  }
  for (; i < sizeof peaks / sizeof peaks[0] && peaks[i].call; i++)
    if (peaks[i].name_len == n && strncmp(peaks[i].call, call, n) == 0) break;
  if (i == sizeof peaks / sizeof peaks[0]) return;
  if (!peaks[i].call) peaks[i].call = call, peaks[i].name_len = n;
  if (used > peaks[i].peak) peaks[i].peak = used;
  if (insns > peaks[i].instructions) peaks[i].instructions = insns;
}

static inline uintptr_t current_sp(void) {
  uintptr_t sp;
  __asm volatile("mov %0, sp" : "=r"(sp));
  return sp;
}

/* Paint the stack region below the stack pointer, make the call and time it, find the deepest
 * word it wrote. */
#define MEASURE(call)                                                                    \
  ({                                                                                     \
    uintptr_t sp_ = current_sp();                                                        \
    volatile uint32_t *lo_ = (volatile uint32_t *)&__stack_limit;                        \
    for (volatile uint32_t *p_ = lo_; p_ < (volatile uint32_t *)sp_; p_++) *p_ = PAINT_WORD; \
    uint64_t t0_ = ticks();                                                              \
    int32_t r_ = (call);                                                                 \
    uint64_t t1_ = ticks();                                                              \
    volatile uint32_t *q_ = lo_;                                                         \
    while (q_ < (volatile uint32_t *)sp_ && *q_ == PAINT_WORD) q_++;                     \
    note_call(#call, (uint32_t)(sp_ - (uintptr_t)q_), t1_ - t0_, q_ == lo_);             \
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
  printf("stepstone-device on %s, %s (%s)\n", ARCH, FLOAT_ABI, BOARD);
  timer_start();
  printf("instructions per SysTick tick: %llu (the counts' resolution)\n",
         (unsigned long long)instructions(1));
  run_vectors();
  for (size_t i = 0; i < sizeof peaks / sizeof peaks[0] && peaks[i].call; i++)
    printf("peak stack of %.*s: %lu bytes\n", (int)peaks[i].name_len, peaks[i].call,
           (unsigned long)peaks[i].peak);
  for (size_t i = 0; i < sizeof peaks / sizeof peaks[0] && peaks[i].call; i++) {
    printf("instructions of %.*s: %llu\n", (int)peaks[i].name_len, peaks[i].call,
           (unsigned long long)peaks[i].instructions);
#if RUNS(VECTORS_SIGNATURE) /* the signature vectors verify signatures with finish_key */
    if (strncmp(peaks[i].call, "stepstone_verify_finish_key", peaks[i].name_len) == 0)
      printf("instructions per ECDSA verify: %llu\n", (unsigned long long)peaks[i].instructions);
#endif
  }
  printf("peak stack: %lu bytes\n", (unsigned long)peak_stack);
  /* newlib's heap (stdio buffers) must stay below the painted stack region. */
  if ((uintptr_t)sbrk(0) > (uintptr_t)&__stack_limit) {
    printf("FAIL: the heap reaches into the stack region\n");
    failed++;
  }
  if (stack_exhausted) failed++;
  printf("%u passed, %u failed\n", passed, failed);
  return failed ? 1 : 0;
}
