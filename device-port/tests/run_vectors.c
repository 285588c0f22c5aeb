/* Runs the device subset of the conformance vectors, and every attack of attacks.json, through
 * the C API. Shared by the host test (host_test.c) and the Cortex-M4 firmware
 * (../firmware/main.c), which define REPORT and MEASURE before including this file. Images and
 * messages are streamed in CHUNK-byte chunks (attacks in the chunk their vector gives).
 * Each group prints "GROUP: N passed, M failed"; the caller prints the overall line.
 * VECTOR_GROUPS (a mask of the VECTORS_* bits below, every group by default) selects what one
 * build runs: a board whose flash cannot hold every vector (the micro:bit's 256 KiB) runs them
 * in several images, and scripts/test-device.sh checks that the images' counts add up to the
 * full run's. A table no selected group reads is not linked. */
#include <string.h>
#include "vectors.h"

#ifndef MEASURE
#define MEASURE(call) (call)
#endif
#define VECTORS_SAMPLING 1u  /* sample, is_below, period, backoff */
#define VECTORS_NEXT_HOP 2u  /* next_hop */
#define VECTORS_SIGNATURE 4u /* signature */
#define VECTORS_MANIFEST 8u  /* manifest, manifest_first, manifest_checked */
#define VECTORS_ATTACKS 16u  /* attacks, abi */
#define VECTORS_MCUBOOT 32u  /* mcuboot: images imgtool made (mcuboot_vectors.h) */
#ifndef VECTOR_GROUPS
#define VECTOR_GROUPS 63u
#endif
#define RUNS(group) ((VECTOR_GROUPS) & (group))
#if RUNS(VECTORS_MCUBOOT)
/* Written by device-port/tests/mcuboot_images.py from the images imgtool made this run. */
#include "mcuboot_vectors.h"
#endif
#define CHUNK 61
/* Helpers that some selections of VECTOR_GROUPS do not call. */
#define HELPER __attribute__((unused)) static

static unsigned passed, failed;
static unsigned group_passed, group_failed;

static void check(int ok, const char *group, const char *name, int32_t got, int32_t want) {
  if (ok) {
    passed++;
  } else {
    failed++;
    REPORT("FAIL %s %s: status %d (%s), want %d\n", group, name, (int)got,
           stepstone_strerror(got), (int)want);
  }
}

/* A failure whose status was right but whose facts were not. */
HELPER void check_facts(int ok, const char *group, const char *name) {
  if (ok) {
    passed++;
  } else {
    failed++;
    REPORT("FAIL %s %s: status ok, but the facts differ\n", group, name);
  }
}

static void group_begin(void) {
  group_passed = passed;
  group_failed = failed;
}

static void group_end(const char *group) {
  REPORT("%s: %u passed, %u failed\n", group, passed - group_passed, failed - group_failed);
}

/* Streams `len` bytes into a context already started, in `chunk`-byte pieces, stopping at the
 * first refusal. */
HELPER int32_t feed(StepstoneVerifyCtx *ctx, const uint8_t *data, size_t len, size_t chunk) {
  int32_t st = STEPSTONE_OK;
  for (size_t at = 0; st == STEPSTONE_OK && at < len; at += chunk) {
    size_t n = len - at < chunk ? len - at : chunk;
    st = MEASURE(stepstone_verify_update(ctx, data + at, n));
  }
  return st;
}

/* Streams `len` bytes into a fresh key-only context in CHUNK-byte pieces. */
HELPER int32_t stream(StepstoneVerifyCtx *ctx, const uint8_t *data, size_t len) {
  int32_t st = MEASURE(stepstone_verify_init(ctx, sizeof *ctx));
  return st == STEPSTONE_OK ? feed(ctx, data, len, CHUNK) : st;
}

/* The version, size and SHA-256 of `v` are these (the version NUL-terminated). */
HELPER int same_facts(const StepstoneVerified *v, const char *version, size_t version_len,
                      uint64_t size, const uint8_t sha256[32]) {
  return v->version_len == version_len && version_len < sizeof v->version &&
         memcmp(v->version, version, version_len) == 0 && v->version[version_len] == '\0' &&
         v->size == size && memcmp(v->sha256, sha256, 32) == 0;
}

HELPER int same_state(const StepstoneCatalogState *a, const StepstoneCatalogState *b) {
  return a->sequence == b->sequence && a->issued == b->issued &&
         memcmp(a->sha256, b->sha256, sizeof a->sha256) == 0;
}

#if RUNS(VECTORS_ATTACKS)
/* The install flow of attacks.json, as core/tests/attack_vectors.rs runs it: open the signed
 * catalog (when the vector has one) with its key, last state and clock; start a manifest-first
 * context over the opened catalog's payload; stream the image in the vector's chunks, stopping
 * at the first refusal; finish. */
static int32_t install(const attack_case *c, StepstoneVerified *facts,
                       StepstoneCatalogOpened *opened) {
  StepstoneDevice device = c->device;
  if (c->has_catalog) {
    int32_t st = MEASURE(stepstone_catalog_open(c->envelope, c->envelope_len, c->catalog_key,
                                                c->catalog_key_len, c->has_last ? &c->last : NULL,
                                                c->catalog_now, opened));
    if (st != STEPSTONE_OK) return st;
    if (opened->payload_offset > c->envelope_len ||
        opened->payload_len > c->envelope_len - opened->payload_offset)
      return STEPSTONE_ERR_UNKNOWN; /* the payload must lie inside the envelope */
    device.catalog = c->envelope + opened->payload_offset;
    device.catalog_len = opened->payload_len;
  }
  StepstoneVerifyCtx ctx;
  int32_t st = MEASURE(stepstone_verify_init_manifest(&ctx, sizeof ctx, c->manifest_key,
                                                      c->manifest_key_len, c->manifest,
                                                      c->manifest_len, c->sig, c->sig_len,
                                                      &device));
  if (st == STEPSTONE_OK) st = feed(&ctx, c->image, c->image_len, c->chunk);
  if (st == STEPSTONE_OK) st = MEASURE(stepstone_verify_finish_checked(&ctx, facts));
  return st;
}

static void run_attacks(void) {
  for (size_t i = 0; i < ATTACK_CASES_COUNT; i++) {
    const attack_case *c = &attack_cases[i];
    StepstoneVerified facts;
    StepstoneCatalogOpened opened;
    memset(&facts, 0, sizeof facts);
    memset(&opened, 0, sizeof opened);
    int32_t st = install(c, &facts, &opened);
    if (st == c->status && st == STEPSTONE_OK)
      check_facts(same_facts(&facts, c->version, c->version_len, c->size, c->sha256) &&
                      memcmp(facts.key_id, c->key_id, 32) == 0 && facts.expires == c->expires &&
                      (!c->has_state || same_state(&opened.state, &c->state)),
                  "attacks", c->name);
    else
      check(st == c->status, "attacks", c->name, st, c->status);
  }
}

/* The first attack vector that succeeds, with or without a catalog. */
static const attack_case *genuine(int with_catalog) {
  for (size_t i = 0; i < ATTACK_CASES_COUNT; i++)
    if (attack_cases[i].status == STEPSTONE_OK && attack_cases[i].has_catalog == with_catalog &&
        !attack_cases[i].has_last)
      return &attack_cases[i];
  return NULL;
}

/* The first attack vector with an image longer than `than` bytes. */
static const attack_case *longer_image(size_t than) {
  for (size_t i = 0; i < ATTACK_CASES_COUNT; i++)
    if (attack_cases[i].image_len > than) return &attack_cases[i];
  return NULL;
}

#define ABI(cond, name, got, want) check((cond), "abi", (name), (got), (want))

/* Starts a manifest-first context for `c` over `device`. */
static int32_t init_for(StepstoneVerifyCtx *ctx, size_t ctx_size, const attack_case *c,
                        const StepstoneDevice *device) {
  return MEASURE(stepstone_verify_init_manifest(ctx, ctx_size, c->manifest_key,
                                                c->manifest_key_len, c->manifest, c->manifest_len,
                                                c->sig, c->sig_len, device));
}

/* The argument rules of the new entry points: NULLs, lengths, misaligned and short contexts
 * refused (never a fault: on the Cortex-M4 a misaligned context is refused before it is
 * touched), argument errors before the context is consumed, a failed finish keeps the hashed
 * image, unaligned output structs, a C byte that is not 0 or 1. */
static void run_abi(void) {
  const attack_case *c = genuine(1), *plain = genuine(0), *lng = c ? longer_image(c->image_len) : 0;
  if (!c || !plain || !lng) {
    check(0, "abi", "attacks.json has a genuine vector with and without a catalog", 0, 0);
    return;
  }
  StepstoneCatalogOpened opened;
  int32_t st = MEASURE(stepstone_catalog_open(c->envelope, c->envelope_len, c->catalog_key,
                                              c->catalog_key_len, NULL, c->catalog_now, &opened));
  ABI(st == STEPSTONE_OK, "catalog_open genuine", st, STEPSTONE_OK);
  if (st != STEPSTONE_OK) return;
  st = MEASURE(stepstone_catalog_open(c->envelope, c->envelope_len, c->catalog_key,
                                      c->catalog_key_len, NULL, c->catalog_now, NULL));
  ABI(st == STEPSTONE_ERR_NULL_POINTER, "catalog_open NULL out", st, STEPSTONE_ERR_NULL_POINTER);
  StepstoneCatalogOpened scratch;
  st = MEASURE(stepstone_catalog_open(NULL, c->envelope_len, c->catalog_key, c->catalog_key_len,
                                      NULL, c->catalog_now, &scratch));
  ABI(st == STEPSTONE_ERR_NULL_POINTER, "catalog_open NULL envelope", st,
      STEPSTONE_ERR_NULL_POINTER);
  st = MEASURE(stepstone_catalog_open(c->envelope, c->envelope_len - 1, c->catalog_key,
                                      c->catalog_key_len, NULL, c->catalog_now, &scratch));
  ABI(st == STEPSTONE_ERR_CATALOG_MALFORMED, "catalog_open one byte short", st,
      STEPSTONE_ERR_CATALOG_MALFORMED);
  st = MEASURE(stepstone_catalog_open(c->envelope, c->envelope_len, c->catalog_key,
                                      c->catalog_key_len, &opened.state, opened.state.issued - 1,
                                      &scratch));
  ABI(st == STEPSTONE_ERR_CATALOG_CLOCK_BEHIND, "catalog_open below the time floor", st,
      STEPSTONE_ERR_CATALOG_CLOCK_BEHIND);
  /* Unaligned `last` and `out` (copied bytewise: no fault on the Cortex-M4). */
  static uint8_t odd[1 + sizeof(StepstoneCatalogState) + sizeof(StepstoneCatalogOpened)];
  memcpy(odd + 1, &opened.state, sizeof opened.state);
  StepstoneCatalogOpened *odd_out = (StepstoneCatalogOpened *)(void *)(odd + 1 +
                                                                       sizeof opened.state);
  st = MEASURE(stepstone_catalog_open(c->envelope, c->envelope_len, c->catalog_key,
                                      c->catalog_key_len,
                                      (const StepstoneCatalogState *)(void *)(odd + 1),
                                      opened.state.issued, odd_out));
  memcpy(&scratch, odd + 1 + sizeof opened.state, sizeof scratch);
  ABI(st == STEPSTONE_OK && same_state(&scratch.state, &opened.state),
      "catalog_open the same catalog again, unaligned last and out", st, STEPSTONE_OK);

  StepstoneDevice device = c->device;
  device.catalog = c->envelope + opened.payload_offset;
  device.catalog_len = opened.payload_len;
  uint8_t hop[STEPSTONE_VERSION_MAX];
  size_t hop_len = 0;
  st = MEASURE(stepstone_next_hop(device.catalog, device.catalog_len, device.current_version,
                                  device.current_version_len, NULL, 0, hop, sizeof hop, &hop_len));
  ABI(st == STEPSTONE_OK && hop_len > 0, "next_hop over the opened payload", st, STEPSTONE_OK);

  StepstoneVerifyCtx ctx;
  StepstoneVerified v;
  st = init_for(NULL, sizeof ctx, c, &device);
  ABI(st == STEPSTONE_ERR_NULL_POINTER, "init_manifest NULL context", st,
      STEPSTONE_ERR_NULL_POINTER);
  /* Misaligned contexts inside a buffer: refused, and not one byte of them written. */
  static uint64_t raw[STEPSTONE_VERIFY_CTX_WORDS + 1];
  for (size_t off = 1; off < STEPSTONE_VERIFY_CTX_ALIGN; off++) {
    memset(raw, 0x5a, sizeof raw);
    StepstoneVerifyCtx *mis = (StepstoneVerifyCtx *)(void *)((uint8_t *)raw + off);
    int32_t a = init_for(mis, sizeof *mis, c, &device);
    int32_t b = MEASURE(stepstone_verify_init(mis, sizeof *mis));
    int32_t d = MEASURE(stepstone_verify_update(mis, c->image, 1));
    int32_t e = MEASURE(stepstone_verify_finish_checked(mis, &v));
    int untouched = 1;
    for (size_t i = 0; i < sizeof raw; i++) untouched &= ((const uint8_t *)raw)[i] == 0x5a;
    ABI(a == STEPSTONE_ERR_BAD_ARGUMENT && b == a && d == a && e == a && untouched,
        "misaligned context refused and untouched", a, STEPSTONE_ERR_BAD_ARGUMENT);
  }
  st = init_for(&ctx, sizeof ctx - 1, c, &device);
  ABI(st == STEPSTONE_ERR_BAD_ARGUMENT, "init_manifest context one byte short", st,
      STEPSTONE_ERR_BAD_ARGUMENT);
  st = init_for(&ctx, 0, c, &device);
  ABI(st == STEPSTONE_ERR_BAD_ARGUMENT, "init_manifest context size 0", st,
      STEPSTONE_ERR_BAD_ARGUMENT);
  st = init_for(&ctx, sizeof ctx, c, NULL);
  ABI(st == STEPSTONE_ERR_NULL_POINTER, "init_manifest NULL device", st,
      STEPSTONE_ERR_NULL_POINTER);
  StepstoneDevice bad = device;
  bad.model = NULL;
  st = init_for(&ctx, sizeof ctx, c, &bad);
  ABI(st == STEPSTONE_ERR_NULL_POINTER, "init_manifest NULL model with a length", st,
      STEPSTONE_ERR_NULL_POINTER);
  bad = device;
  bad.catalog = NULL;
  st = init_for(&ctx, sizeof ctx, c, &bad);
  ABI(st == STEPSTONE_ERR_NULL_POINTER, "init_manifest NULL catalog with a length", st,
      STEPSTONE_ERR_NULL_POINTER);
  bad = device;
  bad.catalog_len = 3;
  st = init_for(&ctx, sizeof ctx, c, &bad);
  ABI(st == STEPSTONE_ERR_COMPACT_TRUNCATED, "init_manifest truncated catalog", st,
      STEPSTONE_ERR_COMPACT_TRUNCATED);

  /* A live context, then a refused init on it: the stale context is never used. */
  st = init_for(&ctx, sizeof ctx, c, &device);
  ABI(st == STEPSTONE_OK, "init_manifest genuine", st, STEPSTONE_OK);
  bad = device;
  bad.now = 0;
  st = init_for(&ctx, sizeof ctx, c, &bad);
  ABI(st == STEPSTONE_ERR_MANIFEST_CLOCK_UNSET, "init_manifest now 0", st,
      STEPSTONE_ERR_MANIFEST_CLOCK_UNSET);
  st = MEASURE(stepstone_verify_update(&ctx, c->image, 1));
  ABI(st == STEPSTONE_ERR_BAD_CONTEXT, "update after a refused init", st,
      STEPSTONE_ERR_BAD_CONTEXT);

  /* Argument errors come before the context is consumed: finish again without re-hashing. */
  st = init_for(&ctx, sizeof ctx, c, &device);
  if (st == STEPSTONE_OK) st = feed(&ctx, c->image, c->image_len, CHUNK);
  ABI(st == STEPSTONE_OK, "stream genuine", st, STEPSTONE_OK);
  st = MEASURE(stepstone_verify_finish_checked(&ctx, NULL));
  ABI(st == STEPSTONE_ERR_NULL_POINTER, "finish_checked NULL out", st, STEPSTONE_ERR_NULL_POINTER);
  st = MEASURE(stepstone_verify_finish_key(&ctx, c->manifest_key, c->manifest_key_len, c->sig,
                                           c->sig_len));
  ABI(st == STEPSTONE_ERR_BAD_CONTEXT, "finish_key on a manifest-first context", st,
      STEPSTONE_ERR_BAD_CONTEXT);
  /* The facts into an unaligned struct. */
  static uint8_t odd_v[1 + sizeof(StepstoneVerified)];
  st = MEASURE(stepstone_verify_finish_checked(&ctx, (StepstoneVerified *)(void *)(odd_v + 1)));
  memcpy(&v, odd_v + 1, sizeof v);
  ABI(st == STEPSTONE_OK && same_facts(&v, c->version, c->version_len, c->size, c->sha256),
      "finish_checked after the refusals, unaligned out", st, STEPSTONE_OK);
  st = MEASURE(stepstone_verify_update(&ctx, c->image, 1));
  ABI(st == STEPSTONE_ERR_BAD_CONTEXT, "update after finish", st, STEPSTONE_ERR_BAD_CONTEXT);
  st = MEASURE(stepstone_verify_finish_checked(&ctx, &v));
  ABI(st == STEPSTONE_ERR_BAD_CONTEXT, "finish_checked twice", st, STEPSTONE_ERR_BAD_CONTEXT);

  /* Past the declared size: refused at once, and every call after, finish included. */
  st = init_for(&ctx, sizeof ctx, c, &device);
  if (st == STEPSTONE_OK) st = feed(&ctx, lng->image, c->image_len, CHUNK);
  ABI(st == STEPSTONE_OK, "stream up to the declared size", st, STEPSTONE_OK);
  st = MEASURE(stepstone_verify_update(&ctx, lng->image + c->image_len, 1));
  ABI(st == STEPSTONE_ERR_MANIFEST_SIZE_MISMATCH, "one byte past the size", st,
      STEPSTONE_ERR_MANIFEST_SIZE_MISMATCH);
  st = MEASURE(stepstone_verify_update(&ctx, NULL, 0));
  ABI(st == STEPSTONE_ERR_MANIFEST_SIZE_MISMATCH, "an empty chunk after the refusal", st,
      STEPSTONE_ERR_MANIFEST_SIZE_MISMATCH);
  st = MEASURE(stepstone_verify_finish_checked(&ctx, &v));
  ABI(st == STEPSTONE_ERR_MANIFEST_SIZE_MISMATCH, "finish after the refusal", st,
      STEPSTONE_ERR_MANIFEST_SIZE_MISMATCH);
  st = init_for(&ctx, sizeof ctx, c, &device);
  if (st == STEPSTONE_OK) st = MEASURE(stepstone_verify_update(&ctx, lng->image, lng->image_len));
  ABI(st == STEPSTONE_ERR_MANIFEST_SIZE_MISMATCH, "one chunk over the size", st,
      STEPSTONE_ERR_MANIFEST_SIZE_MISMATCH);

  /* A key-only context: finish_checked refuses it; a failed manifest finish keeps the image
   * (key rotation: try the next pinned key without hashing again). */
  st = stream(&ctx, c->image, c->image_len);
  ABI(st == STEPSTONE_OK, "stream key-only", st, STEPSTONE_OK);
  st = MEASURE(stepstone_verify_finish_checked(&ctx, &v));
  ABI(st == STEPSTONE_ERR_BAD_CONTEXT, "finish_checked on a key-only context", st,
      STEPSTONE_ERR_BAD_CONTEXT);
  st = MEASURE(stepstone_verify_finish_manifest_checked(&ctx, c->catalog_key, c->catalog_key_len,
                                                        c->manifest, c->manifest_len, c->sig,
                                                        c->sig_len, &device, &v));
  ABI(st == STEPSTONE_ERR_MANIFEST_BAD_SIGNATURE, "finish_manifest_checked with another key", st,
      STEPSTONE_ERR_MANIFEST_BAD_SIGNATURE);
  memset(&v, 0, sizeof v);
  st = MEASURE(stepstone_verify_finish_manifest_checked(&ctx, c->manifest_key,
                                                        c->manifest_key_len, c->manifest,
                                                        c->manifest_len, c->sig, c->sig_len,
                                                        &device, &v));
  ABI(st == STEPSTONE_OK && same_facts(&v, c->version, c->version_len, c->size, c->sha256),
      "finish_manifest_checked with the next key, no re-hash", st, STEPSTONE_OK);
  st = MEASURE(stepstone_manifest_check_checked(c->manifest_key, c->manifest_key_len, c->manifest,
                                                c->manifest_len, c->sig, c->sig_len, &device,
                                                NULL));
  ABI(st == STEPSTONE_OK, "manifest_check_checked NULL out (optional)", st, STEPSTONE_OK);
  memset(&v, 0, sizeof v);
  st = MEASURE(stepstone_manifest_check_checked(plain->manifest_key, plain->manifest_key_len,
                                                plain->manifest, plain->manifest_len, plain->sig,
                                                plain->sig_len, &plain->device, &v));
  ABI(st == STEPSTONE_OK &&
          same_facts(&v, plain->version, plain->version_len, plain->size, plain->sha256) &&
          memcmp(v.key_id, plain->key_id, 32) == 0 && v.expires == plain->expires,
      "manifest_check_checked facts", st, STEPSTONE_OK);

  /* C booleans cross as bytes: anything but 0 or 1 is refused, never read as a Rust bool. */
  StepstoneRetryPolicy policy;
  uint64_t delay = 0;
  stepstone_retry_policy_default(&policy);
  policy.kinds[STEPSTONE_FAILED].retry = 2;
  st = MEASURE(stepstone_retry_backoff(&policy, STEPSTONE_FAILED, 1, NULL, 0, NULL, 0, 1, &delay));
  ABI(st == STEPSTONE_ERR_BAD_ARGUMENT, "retry byte 2", st, STEPSTONE_ERR_BAD_ARGUMENT);
  policy.kinds[STEPSTONE_FAILED].retry = 1;
  st = MEASURE(stepstone_retry_backoff(&policy, STEPSTONE_FAILED, 1, NULL, 0, NULL, 0, 1, &delay));
  ABI(st == STEPSTONE_OK, "retry byte 1", st, STEPSTONE_OK);
}

#endif /* RUNS(VECTORS_ATTACKS) */

static void run_vectors(void) {
#if RUNS(VECTORS_SAMPLING)
  group_begin();
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
  group_end("sample");
  group_begin();
  for (size_t i = 0; i < BELOW_CASES_COUNT; i++) {
    const below_case *c = &below_cases[i];
    bool sampled = false;
    int32_t st = MEASURE(stepstone_sample_is_below(c->position, c->rate_ppm, &sampled));
    check(st == 0 && sampled == (c->sampled != 0), "is_below", c->name, st, 0);
  }
  group_end("is_below");
  group_begin();
  for (size_t i = 0; i < PERIOD_CASES_COUNT; i++) {
    const period_case *c = &period_cases[i];
    uint64_t p = 0;
    int32_t st = MEASURE(stepstone_sample_period_index(c->unix_s, c->period_s, c->offset_s, &p));
    check(st == c->status && (st != 0 || p == c->period), "period", c->name, st, c->status);
  }
  group_end("period");
  group_begin();
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
  group_end("backoff");
#endif
#if RUNS(VECTORS_NEXT_HOP)
  group_begin();
  for (size_t i = 0; i < HOP_CASES_COUNT; i++) {
    const hop_case *c = &hop_cases[i];
    uint8_t out[64];
    size_t n = 99;
    int32_t st = MEASURE(stepstone_next_hop(c->catalog, c->catalog_len, c->from, c->from_len, c->to,
                                            c->to_len, out, sizeof out, &n));
    int ok = st == c->status && (st != 0 || (n == c->hop_len && memcmp(out, c->hop, n) == 0));
    check(ok, "next_hop", c->name, st, c->status);
  }
  group_end("next_hop");
#endif
#if RUNS(VECTORS_SIGNATURE)
  group_begin();
  for (size_t i = 0; i < SIGNATURE_CASES_COUNT; i++) {
    const signature_case *c = &signature_cases[i];
    StepstoneVerifyCtx ctx;
    int32_t st = stream(&ctx, c->msg, c->msg_len);
    if (st == STEPSTONE_OK)
      st = MEASURE(stepstone_verify_finish_key(&ctx, c->key, c->key_len, c->sig, c->sig_len));
    check(st == c->status, "signature", c->name, st, c->status);
  }
  group_end("signature");
#endif
#if RUNS(VECTORS_MANIFEST)
  group_begin();
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
  group_end("manifest");
  /* The same vectors manifest first: init_manifest, update (refused past the size), then
   * finish_checked and its facts. */
  group_begin();
  for (size_t i = 0; i < MANIFEST_CASES_COUNT; i++) {
    const manifest_case *c = &manifest_cases[i];
    StepstoneVerifyCtx ctx;
    StepstoneVerified v;
    memset(&v, 0, sizeof v);
    int32_t st = MEASURE(stepstone_verify_init_manifest(&ctx, sizeof ctx, c->key, c->key_len,
                                                        c->manifest, c->manifest_len, c->sig,
                                                        c->sig_len, &c->device));
    if (st == STEPSTONE_OK) st = feed(&ctx, c->image, c->image_len, CHUNK);
    if (st == STEPSTONE_OK) st = MEASURE(stepstone_verify_finish_checked(&ctx, &v));
    if (st == c->status && st == STEPSTONE_OK)
      check_facts(same_facts(&v, c->version, c->version_len, c->size, c->sha256), "manifest_first",
                  c->name);
    else
      check(st == c->status, "manifest_first", c->name, st, c->status);
  }
  group_end("manifest_first");
  /* And through the _checked variants of the key-only path: the facts of the check before the
   * download equal those of the finish. */
  group_begin();
  for (size_t i = 0; i < MANIFEST_CASES_COUNT; i++) {
    const manifest_case *c = &manifest_cases[i];
    StepstoneVerified before, after;
    memset(&before, 0, sizeof before);
    memset(&after, 0, sizeof after);
    int32_t st = MEASURE(stepstone_manifest_check_checked(c->key, c->key_len, c->manifest,
                                                          c->manifest_len, c->sig, c->sig_len,
                                                          &c->device, &before));
    if (st == STEPSTONE_OK) {
      StepstoneVerifyCtx ctx;
      st = stream(&ctx, c->image, c->image_len);
      if (st == STEPSTONE_OK)
        st = MEASURE(stepstone_verify_finish_manifest_checked(&ctx, c->key, c->key_len,
                                                              c->manifest, c->manifest_len, c->sig,
                                                              c->sig_len, &c->device, &after));
    }
    if (st == c->status && st == STEPSTONE_OK)
      check_facts(same_facts(&after, c->version, c->version_len, c->size, c->sha256) &&
                      same_facts(&before, c->version, c->version_len, c->size, c->sha256) &&
                      memcmp(before.key_id, after.key_id, 32) == 0 &&
                      before.expires == after.expires,
                  "manifest_checked", c->name);
    else
      check(st == c->status, "manifest_checked", c->name, st, c->status);
  }
  group_end("manifest_checked");
#endif
#if RUNS(VECTORS_MCUBOOT)
  /* Each image imgtool made (good, tampered, wrong key, TLVs missing, cut, ...): its status,
   * and for a good one the version and security counter the check reports. */
  group_begin();
  for (size_t i = 0; i < MCUBOOT_CASES_COUNT; i++) {
    const mcuboot_case *c = &mcuboot_cases[i];
    StepstoneMcubootInfo info;
    memset(&info, 0xa5, sizeof info);
    int32_t st = MEASURE(stepstone_mcuboot_check(c->image, c->image_len, mcuboot_key,
                                                 sizeof mcuboot_key, &info));
    int ok = st == c->status;
    if (ok && st == STEPSTONE_OK)
      ok = info.version_len == strlen(c->version) && strcmp(info.version, c->version) == 0 &&
           info.has_security_counter == c->has_counter &&
           info.security_counter == (c->has_counter ? c->counter : 0) &&
           info.tlv_offset < c->image_len;
    check(ok, "mcuboot", c->name, st, c->status);
  }
  group_end("mcuboot");
#endif
#if RUNS(VECTORS_ATTACKS)
  group_begin();
  run_attacks();
  group_end("attacks");
  group_begin();
  run_abi();
  group_end("abi");
#endif
}
