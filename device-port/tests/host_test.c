/* Host C test: links the stepstone-device staticlib, runs the device subset of the conformance
 * vectors and attacks.json through the C API, prints "GROUP: N passed, M failed" per group, then
 * "N passed, M failed". Built by scripts/test-device.sh. */
#include <stdio.h>
#define REPORT printf
#include "run_vectors.c"

int main(void) {
  /* No pointer is trusted: NULLs with lengths are refused, not dereferenced. */
  uint64_t pos;
  check(stepstone_sample_position(NULL, 4, NULL, 0, 0, NULL, 0, &pos) == STEPSTONE_ERR_NULL_POINTER,
        "abi", "null-salt", 0, 0);
  check(stepstone_next_hop(NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL) == STEPSTONE_ERR_COMPACT_TRUNCATED,
        "abi", "null-catalog", 0, 0);
  check(stepstone_verify_update(NULL, NULL, 0) == STEPSTONE_ERR_NULL_POINTER, "abi", "null-ctx", 0, 0);
  check(stepstone_verify_finish_checked(NULL, NULL) == STEPSTONE_ERR_NULL_POINTER, "abi",
        "null-ctx-finish-checked", 0, 0);
  check(stepstone_catalog_open(NULL, 0, NULL, 0, NULL, 0, NULL) == STEPSTONE_ERR_NULL_POINTER,
        "abi", "null-catalog-open", 0, 0);
  StepstoneMcubootInfo mcuboot_info;
  check(stepstone_mcuboot_check(NULL, 0, NULL, 0, &mcuboot_info) == STEPSTONE_ERR_SIGNATURE_KEY_MALFORMED,
        "abi", "mcuboot-no-key", 0, 0);
  check(stepstone_mcuboot_check(mcuboot_key, sizeof mcuboot_key, mcuboot_key, sizeof mcuboot_key,
                                NULL) == STEPSTONE_ERR_NULL_POINTER,
        "abi", "mcuboot-null-out", 0, 0);
  check(stepstone_mcuboot_check(NULL, 0, mcuboot_key, sizeof mcuboot_key, &mcuboot_info) ==
            STEPSTONE_ERR_MCUBOOT_TRUNCATED,
        "abi", "mcuboot-empty-image", 0, 0);
  run_vectors();
  printf("%u passed, %u failed\n", passed, failed);
  return failed ? 1 : 0;
}
