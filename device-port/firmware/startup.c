/* Cortex-M start-up for the QEMU test firmware, one file for every profile (ARMv6-M, ARMv7-M,
 * ARMv7E-M with or without FPU, ARMv8-M Mainline with or without FPU), with the board's linker
 * script (microbit.ld, mps2-an385.ld, mps2-an386.ld, mps2-an505.ld; all include sections.ld):
 * vector table, FPU on when the build uses it, MSPLIM on ARMv8-M Mainline, .data copied from
 * flash, .bss zeroed, newlib's semihosting handles (rdimon), constructors, main, exit (exit code
 * over semihosting). A fault prints what the core reports (CFSR and HFSR where the profile has
 * them; CFSR bit 24 is UNALIGNED, bit 20 STKOF) and exits 99. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern uint32_t __stack, __stack_limit, __bss_start__, __bss_end__, __data_start__, __data_end__,
    __data_load__;
extern int main(void);
extern void initialise_monitor_handles(void);
extern void __libc_init_array(void);

void Reset_Handler(void);
/* The firmware's SysTick handler (main.c times each library call with it); nothing by default. */
__attribute__((weak)) void SysTick_Handler(void) {}
/* No crti/crtn with -nostartfiles: newlib's init and fini arrays call these. */
void _init(void) {}
void _fini(void) {}
static void Fault_Handler(void) {
#if defined(__ARM_ARCH_6M__)
  /* ARMv6-M has only HardFault and no fault status registers. */
  printf("FAULT: HardFault (ARMv6-M)\n");
#else
  printf("FAULT: CFSR=0x%08lx HFSR=0x%08lx\n", (unsigned long)*(volatile uint32_t *)0xE000ED28,
         (unsigned long)*(volatile uint32_t *)0xE000ED2C);
#endif
  exit(99);
}

__attribute__((section(".vectors"), used)) static void *const vectors[16] = {
    &__stack,      Reset_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler,
    Fault_Handler, 0,             0,             0,             0,             Fault_Handler,
    Fault_Handler, 0,             Fault_Handler, SysTick_Handler,
};

void Reset_Handler(void) {
#if defined(__ARM_FP)
  /* CPACR: full access to CP10 and CP11 (the FPU) before any floating-point instruction. */
  *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;
  __asm volatile("dsb\n isb");
#endif
#if defined(__ARM_ARCH_8M_MAIN__)
  /* The stack may not grow below its region: an overflow is a UsageFault (CFSR.STKOF). */
  __asm volatile("msr msplim, %0" : : "r"(&__stack_limit));
#endif
  memcpy(&__data_start__, &__data_load__,
         (size_t)((char *)&__data_end__ - (char *)&__data_start__));
  memset(&__bss_start__, 0, (size_t)((char *)&__bss_end__ - (char *)&__bss_start__));
  initialise_monitor_handles();
  __libc_init_array();
  exit(main());
}
