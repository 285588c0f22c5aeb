/* Size probe: a vector table and every C entry point kept alive, nothing else (no libc), so
 * llvm-size of the linked image is the library's flash and static RAM. scripts/size-report.sh.
 * stepstone_mcuboot_check only with -DPROBE_MCUBOOT: a firmware that does not call it does not
 * link it, and its cost is reported apart. */
#include "stepstone.h"
extern unsigned __stack;
static void reset(void) { for (;;) {} }
__attribute__((section(".vectors"), used)) static void *const vectors[2] = {&__stack, reset};
__attribute__((used)) void *const stepstone_entry_points[] = {
    (void *)stepstone_strerror, (void *)stepstone_sample_position,
    (void *)stepstone_sample_is_sampled, (void *)stepstone_sample_is_below,
    (void *)stepstone_sample_period_index, (void *)stepstone_retry_policy_default,
    (void *)stepstone_retry_backoff, (void *)stepstone_next_hop, (void *)stepstone_verify_init,
    (void *)stepstone_verify_update, (void *)stepstone_verify_finish_key,
    (void *)stepstone_manifest_check, (void *)stepstone_verify_finish_manifest,
    (void *)stepstone_verify_init_manifest, (void *)stepstone_verify_finish_checked,
    (void *)stepstone_manifest_check_checked, (void *)stepstone_verify_finish_manifest_checked,
    (void *)stepstone_catalog_open,
#ifdef PROBE_MCUBOOT /* the MCUboot check, measured apart (scripts/size-report.sh) */
    (void *)stepstone_mcuboot_check,
#endif
};
