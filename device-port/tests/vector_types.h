/* Test-case shapes for the generated vectors.h (see gen_vectors.py). */
#ifndef STEPSTONE_VECTOR_TYPES_H
#define STEPSTONE_VECTOR_TYPES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "stepstone.h"

typedef struct { const char *name; const uint8_t *salt; size_t salt_len; const uint8_t *id;
  size_t id_len; uint64_t period; const char *cls; size_t cls_len; uint32_t rate_ppm;
  uint64_t position; int sampled; } position_case;
typedef struct { const char *name; uint64_t position; uint32_t rate_ppm; int sampled; } below_case;
typedef struct { const char *name; uint64_t unix_s, period_s, offset_s; int32_t status;
  uint64_t period; } period_case;
typedef struct { const char *name; uint32_t jitter_ppm; int32_t kind; uint32_t n;
  const char *id; size_t id_len; const char *hop; size_t hop_len; uint32_t attempt;
  uint64_t delay; } backoff_case;
typedef struct { const char *name; const uint8_t *catalog; size_t catalog_len;
  const char *from; size_t from_len; const char *to; size_t to_len;
  const char *hop; size_t hop_len; int32_t status; } hop_case;
typedef struct { const char *name; const uint8_t *key; size_t key_len; const uint8_t *msg;
  size_t msg_len; const uint8_t *sig; size_t sig_len; int32_t status; } signature_case;
/* A manifest vector; on success its facts (version, size, sha256). */
typedef struct { const char *name; const uint8_t *key; size_t key_len; const uint8_t *manifest;
  size_t manifest_len; const uint8_t *sig; size_t sig_len; const uint8_t *image;
  size_t image_len; StepstoneDevice device; int32_t status;
  const char *version; size_t version_len; uint64_t size; uint8_t sha256[32]; } manifest_case;
/* An attacks.json vector (op install). The device's `catalog` is set at run time from the
 * opened envelope. Expected: `status`, and on success the facts and (with a catalog) the new
 * catalog state. */
typedef struct {
  const char *name; const char *attack;
  const uint8_t *manifest_key; size_t manifest_key_len;
  const uint8_t *manifest; size_t manifest_len;
  const uint8_t *sig; size_t sig_len;
  StepstoneDevice device;
  const uint8_t *image; size_t image_len; size_t chunk;
  int has_catalog;
  const uint8_t *catalog_key; size_t catalog_key_len;
  const uint8_t *envelope; size_t envelope_len;
  int has_last; StepstoneCatalogState last; uint64_t catalog_now;
  int32_t status;
  const char *version; size_t version_len; uint64_t size; uint8_t sha256[32]; uint8_t key_id[32];
  uint64_t expires;
  int has_state; StepstoneCatalogState state;
} attack_case;
#endif
