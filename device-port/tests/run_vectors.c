/* Runs the device subset of the conformance vectors through the C API. Shared by the host test
 * (host_test.c) and the Cortex-M4 firmware (../firmware/main.c), which define REPORT and
 * MEASURE before including this file. Images and messages are streamed in CHUNK-byte chunks. */
#include <string.h>
#include "vectors.h"

#ifndef MEASURE
#define MEASURE(call) (call)
#endif
#define CHUNK 61

static unsigned passed, failed;

static void check(int ok, const char *group, const char *name, int32_t got, int32_t want) {
  if (ok) {
    passed++;
  } else {
    failed++;
    REPORT("FAIL %s %s: status %d (%s), want %d\n", group, name, (int)got,
           stepstone_strerror(got), (int)want);
  }
}

/* Streams `len` bytes into a fresh context in CHUNK-byte pieces. */
static int32_t stream(StepstoneVerifyCtx *ctx, const uint8_t *data, size_t len) {
  int32_t st = MEASURE(stepstone_verify_init(ctx, sizeof *ctx));
  for (size_t at = 0; st == STEPSTONE_OK && at < len; at += CHUNK) {
    size_t n = len - at < CHUNK ? len - at : CHUNK;
    st = MEASURE(stepstone_verify_update(ctx, data + at, n));
  }
  return st;
}

static void run_vectors(void) {
  for (size_t i = 0; i < POSITION_CASES_COUNT; i++) {
    const position_case *c = &position_cases[i];
    uint64_t pos = 0;
    bool sampled = false;
    int32_t a = MEASURE(stepstone_sample_position(c->salt, c->salt_len, c->id, c->id_len, c->period,
                                                  c->cls, c->cls_len, &pos));
    int32_t b = MEASURE(stepstone_sample_is_sampled(c->salt, c->salt_len, c->id, c->id_len,
                                                    c->period, c->cls, c->cls_len, c->rate_ppm,
                                                    &sampled));
    check(a == 0 && b == 0 && pos == c->position && sampled == (c->sampled != 0), "sample", c->name,
          a ? a : b, 0);
  }
  for (size_t i = 0; i < BELOW_CASES_COUNT; i++) {
    const below_case *c = &below_cases[i];
    bool sampled = false;
    int32_t st = MEASURE(stepstone_sample_is_below(c->position, c->rate_ppm, &sampled));
    check(st == 0 && sampled == (c->sampled != 0), "is_below", c->name, st, 0);
  }
  for (size_t i = 0; i < PERIOD_CASES_COUNT; i++) {
    const period_case *c = &period_cases[i];
    uint64_t p = 0;
    int32_t st = MEASURE(stepstone_sample_period_index(c->unix_s, c->period_s, c->offset_s, &p));
    check(st == c->status && (st != 0 || p == c->period), "period", c->name, st, c->status);
  }
  StepstoneRetryPolicy policy;
  stepstone_retry_policy_default(&policy);
  for (size_t i = 0; i < BACKOFF_CASES_COUNT; i++) {
    const backoff_case *c = &backoff_cases[i];
    uint64_t d = 0;
    policy.jitter_ppm = c->jitter_ppm;
    int32_t st = MEASURE(stepstone_retry_backoff(&policy, c->kind, c->n, (const uint8_t *)c->id,
                                                 c->id_len, (const uint8_t *)c->hop, c->hop_len,
                                                 c->attempt, &d));
    check(st == 0 && d == c->delay, "backoff", c->name, st, 0);
  }
  for (size_t i = 0; i < HOP_CASES_COUNT; i++) {
    const hop_case *c = &hop_cases[i];
    uint8_t out[64];
    size_t n = 99;
    int32_t st = MEASURE(stepstone_next_hop(c->catalog, c->catalog_len, c->from, c->from_len, c->to,
                                            c->to_len, out, sizeof out, &n));
    int ok = st == c->status && (st != 0 || (n == c->hop_len && memcmp(out, c->hop, n) == 0));
    check(ok, "next_hop", c->name, st, c->status);
  }
  for (size_t i = 0; i < SIGNATURE_CASES_COUNT; i++) {
    const signature_case *c = &signature_cases[i];
    StepstoneVerifyCtx ctx;
    int32_t st = stream(&ctx, c->msg, c->msg_len);
    if (st == STEPSTONE_OK)
      st = MEASURE(stepstone_verify_finish_key(&ctx, c->key, c->key_len, c->sig, c->sig_len));
    check(st == c->status, "signature", c->name, st, c->status);
  }
  for (size_t i = 0; i < MANIFEST_CASES_COUNT; i++) {
    const manifest_case *c = &manifest_cases[i];
    int32_t st = MEASURE(stepstone_manifest_check(c->key, c->key_len, c->manifest, c->manifest_len,
                                                  c->sig, c->sig_len, &c->device));
    if (st == STEPSTONE_OK) {
      StepstoneVerifyCtx ctx;
      st = stream(&ctx, c->image, c->image_len);
      if (st == STEPSTONE_OK)
        st = MEASURE(stepstone_verify_finish_manifest(&ctx, c->key, c->key_len, c->manifest,
                                                      c->manifest_len, c->sig, c->sig_len,
                                                      &c->device));
    }
    check(st == c->status, "manifest", c->name, st, c->status);
  }
}
