/* Minimal Cortex-M4 start-up for QEMU mps2-an386: vector table, FPU on, .bss zeroed, newlib's
 * semihosting handles (rdimon), constructors, main, exit (exit code over semihosting). A fault
 * prints the fault status registers (CFSR, HFSR; CFSR bit 24 is UNALIGNED) and exits 99. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern uint32_t __stack, __bss_start__, __bss_end__;
extern int main(void);
extern void initialise_monitor_handles(void);
extern void __libc_init_array(void);

void Reset_Handler(void);
/* No crti/crtn with -nostartfiles: newlib's init and fini arrays call these. */
void _init(void) {}
void _fini(void) {}
static void Fault_Handler(void) {
  printf("FAULT: CFSR=0x%08lx HFSR=0x%08lx\n", (unsigned long)*(volatile uint32_t *)0xE000ED28,
         (unsigned long)*(volatile uint32_t *)0xE000ED2C);
  exit(99);
}

__attribute__((section(".vectors"), used)) static void *const vectors[16] = {
    &__stack, Reset_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler,
    Fault_Handler, 0, 0, 0, 0, Fault_Handler, Fault_Handler, 0, Fault_Handler, Fault_Handler,
};

void Reset_Handler(void) {
  /* CPACR: full access to CP10 and CP11 (the FPU) before any floating-point instruction. */
  *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;
  __asm volatile("dsb\n isb");
  memset(&__bss_start__, 0, (size_t)((char *)&__bss_end__ - (char *)&__bss_start__));
  initialise_monitor_handles();
  __libc_init_array();
  exit(main());
}
