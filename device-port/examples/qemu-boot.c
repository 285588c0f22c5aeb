/* Boots device_flow.c on QEMU's mps2-an386 (Cortex-M4) with newlib's semihosting C runtime, so
 * the same program runs on the target with the host's files and command line: the reset vector
 * turns the FPU on, copies .data from flash (the linker script keeps its initial values there,
 * as on a real part) and enters rdimon's _start (.bss, stdio, argv from
 * `-semihosting-config ...,arg=...`, then main and exit). Linked with
 * device-port/firmware/mps2-an386.ld and --specs=rdimon.specs by scripts/test-device.sh. */
#include <stdint.h>
#include <stdlib.h>

extern uint32_t __stack, __data_start__, __data_end__, __data_load__;
extern void _start(void);
/* libgloss's semihosting rename; newlib's rename() tries link() + unlink() instead. */
extern int _rename(const char *from, const char *to);

void Reset_Handler(void);
static void Fault_Handler(void) { exit(99); }

__attribute__((section(".vectors"), used)) static void *const vectors[16] = {
    &__stack, Reset_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler,
    Fault_Handler, 0, 0, 0, 0, Fault_Handler, Fault_Handler, 0, Fault_Handler, Fault_Handler,
};

void Reset_Handler(void) {
  /* CPACR: full access to CP10 and CP11 (the FPU) before any floating-point instruction. */
  *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;
  __asm volatile("dsb\n isb");
  for (uint32_t *d = &__data_start__, *s = &__data_load__; d < &__data_end__;) *d++ = *s++;
  _start();
}

int rename(const char *from, const char *to) { return _rename(from, to); }
