/* Panic hook check (scripts/test-device.sh): built with the library of feature `test-panic`,
 * whose stepstone_test_panic() panics. With WITH_HOOK the firmware defines stepstone_panic_hook,
 * which must be called (it prints and exits 97); without it the library's weak, empty default
 * returns and the port halts: the firmware never gets control back and QEMU is stopped by the
 * script's timeout. Either way "returned from a panic" must never be printed. */
#include <stdio.h>
#include <stdlib.h>
#include "stepstone.h"

extern void stepstone_test_panic(void);

#ifdef WITH_HOOK
void stepstone_panic_hook(void) {
  printf("stepstone_panic_hook called\n");
  exit(97);
}
#endif

int main(void) {
  printf("panicking\n");
  stepstone_test_panic();
  printf("returned from a panic\n");
  return 1;
}
