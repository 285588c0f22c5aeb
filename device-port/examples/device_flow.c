/* The whole device update flow over the stepstone C API, one hop per run (per boot):
 *
 *   open the signed catalog -> next hop -> manifest first -> stream the image -> finish_checked
 *   -> install, then store the anti-rollback counter and the catalog state.
 *
 * Nothing is installed unless the whole chain holds: the catalog is signed by the pinned catalog
 * key, fresh, not older than (nor a re-signed variant of) the last one accepted; the manifest is
 * signed by the pinned manifest key, unexpired, for this model and environment, above the
 * counter, and names a release of that catalog (not yanked, same SHA-256); the image is exactly
 * the manifest's size and SHA-256, and a byte past the size stops the download at once.
 *
 * usage: device_flow DEVICE_DIR SERVER_DIR
 *   DEVICE_DIR  what the device keeps: catalog-key.der and manifest-key.der (the pinned public
 *               keys, DER SubjectPublicKeyInfo; in firmware they are const arrays), counter (the
 *               installed version, also the anti-rollback counter; the factory version when
 *               absent), catalog.state (the last StepstoneCatalogState; absent at first), and
 *               slot.bin (the installed image)
 *   SERVER_DIR  what the device downloads: catalog.ssce (`stepstone catalog pack --sign`), and
 *               per release V: V.manifest, V.sig (`stepstone manifest create`) and V.bin
 * exit: 0 installed or up to date, 1 refused (the status is printed), 2 usage or I/O error.
 *
 * The file I/O stands in for flash and the network; the stepstone calls are what firmware
 * makes. No heap: every buffer is static and bounded. Built and run by scripts/test-device.sh
 * (host, over fixtures from device-port/examples/make-fixtures.sh) and compiled there for the
 * Cortex-M4. Walkthrough: device-port/examples/README.md. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "stepstone.h"

/* What the device knows about itself. */
#define DEVICE_MODEL "AG-1"
#define DEVICE_ENVIRONMENT "production"
#define FACTORY_VERSION "v66000"
/* The time floor a device without a real-time clock starts from (its build time). */
#define FACTORY_TIME_FLOOR UINT64_C(1700000000)
/* Download chunk: any size works; a chunk past the manifest's size is refused at once. */
#define CHUNK 512

/* The signed catalog stays in memory while it is used: the next hop and the manifest check
 * read its payload in place (device.catalog points into it). */
static uint8_t envelope[16384];
static uint8_t manifest[2048];
static uint8_t signature[80];
static uint8_t catalog_key[160], manifest_key[160];
static uint8_t chunk[CHUNK];
/* The verify context: 512 bytes, 8-byte aligned (its uint64_t array makes it so). Static, so a
 * small task stack need not hold it. */
static StepstoneVerifyCtx ctx;

/* ---- platform: flash and network on a device, files here ---- */

static const char *path(const char *dir, const char *name, const char *suffix) {
  static char buf[1024];
  int n = snprintf(buf, sizeof buf, "%s/%s%s", dir, name, suffix);
  return n > 0 && (size_t)n < sizeof buf ? buf : "";
}

/* Reads a whole file into `buf`: its length, or -1 (missing, unreadable or over `cap`). */
static long load(const char *file, void *buf, size_t cap) {
  FILE *f = fopen(file, "rb");
  if (!f) return -1;
  size_t n = fread(buf, 1, cap, f);
  int too_long = n == cap && fgetc(f) != EOF;
  int bad = ferror(f);
  fclose(f);
  return too_long || bad ? -1 : (long)n;
}

/* Writes `len` bytes to `file` through a temporary file and a rename, so a reset never leaves
 * half a counter (on flash: two slots and a sequence number, or the MCU's own scheme). */
static int store(const char *file, const void *data, size_t len) {
  char tmp[1100];
  snprintf(tmp, sizeof tmp, "%s.tmp", file);
  FILE *f = fopen(tmp, "wb");
  if (!f) return -1;
  int ok = fwrite(data, 1, len, f) == len;
  ok &= fclose(f) == 0;
  return ok && rename(tmp, file) == 0 ? 0 : -1;
}

/* Unix seconds from the real-time clock, 0 when the device has none (or it is not set). */
static uint64_t rtc_now(void) {
  time_t t = time(NULL);
  return t > 0 ? (uint64_t)t : 0;
}

/* ---- the flow ---- */

static int refused(const char *step, int32_t st) {
  printf("refused at %s: status %d (%s)\n", step, (int)st, stepstone_strerror(st));
  return 1;
}

static void hex(const char *label, const uint8_t *b, size_t n) {
  printf("%s", label);
  for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
  printf("\n");
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: device_flow DEVICE_DIR SERVER_DIR\n");
    return 2;
  }
  const char *dev = argv[1], *srv = argv[2];

  /* 1. The pinned keys (role separation: the catalog key signs catalogs only, the manifest key
   *    manifests only), the counter and the last catalog state. */
  long catalog_key_len = load(path(dev, "catalog-key.der", ""), catalog_key, sizeof catalog_key);
  long manifest_key_len =
      load(path(dev, "manifest-key.der", ""), manifest_key, sizeof manifest_key);
  if (catalog_key_len <= 0 || manifest_key_len <= 0) {
    fprintf(stderr, "device_flow: no pinned keys in %s\n", dev);
    return 2;
  }
  char counter[STEPSTONE_VERSION_MAX] = FACTORY_VERSION;
  long n = load(path(dev, "counter", ""), counter, sizeof counter - 1);
  if (n >= 0) counter[n] = '\0';
  StepstoneCatalogState last;
  int have_last = load(path(dev, "catalog.state", ""), &last, sizeof last) == (long)sizeof last;

  /* 2. Trusted time: the clock, or without one the time floor (the highest `issued` of any
   *    catalog accepted). A clock below the floor is refused (STEPSTONE_ERR_CATALOG_CLOCK_BEHIND);
   *    0 is refused everywhere (..._CLOCK_UNSET). */
  uint64_t now = rtc_now();
  if (now == 0) now = have_last ? last.issued : FACTORY_TIME_FLOOR;

  /* 3. Open the signed catalog with the pinned catalog key and the last state. */
  long envelope_len = load(path(srv, "catalog.ssce", ""), envelope, sizeof envelope);
  if (envelope_len < 0) {
    fprintf(stderr, "device_flow: cannot read %s/catalog.ssce\n", srv);
    return 2;
  }
  StepstoneCatalogOpened opened;
  int32_t st = stepstone_catalog_open(envelope, (size_t)envelope_len, catalog_key,
                                      (size_t)catalog_key_len, have_last ? &last : NULL, now,
                                      &opened);
  if (st != STEPSTONE_OK) return refused("catalog", st);
  const uint8_t *catalog = envelope + opened.payload_offset;
  printf("catalog: sequence %llu, issued %llu, expires %llu\n",
         (unsigned long long)opened.sequence, (unsigned long long)opened.issued,
         (unsigned long long)opened.expires);

  /* 4. The next hop from the running version toward the catalog's target. */
  char hop[STEPSTONE_VERSION_MAX];
  size_t hop_len = 0;
  st = stepstone_next_hop(catalog, opened.payload_len, counter, strlen(counter), NULL, 0,
                          (uint8_t *)hop, sizeof hop - 1, &hop_len);
  if (st != STEPSTONE_OK) return refused("next hop", st);
  hop[hop_len] = '\0';
  if (hop_len == 0) {
    /* Up to date. The catalog was used: its state is the new floor and sequence. */
    if (store(path(dev, "catalog.state", ""), &opened.state, sizeof opened.state) != 0) return 2;
    printf("up to date at %s\n", counter);
    return 0;
  }
  printf("next hop from %s: %s\n", counter, hop);

  /* 5. Manifest first: its signature and every rule (clock, expiry, model, environment,
   *    counter, minimum version, and the opened catalog: listed for this device, not yanked,
   *    same SHA-256) before the first image byte. */
  long manifest_len = load(path(srv, hop, ".manifest"), manifest, sizeof manifest);
  long signature_len = load(path(srv, hop, ".sig"), signature, sizeof signature);
  if (manifest_len < 0 || signature_len < 0) {
    fprintf(stderr, "device_flow: no manifest for %s in %s\n", hop, srv);
    return 2;
  }
  StepstoneDevice device = {0}; /* zeroed: fields added later stay off */
  device.model = DEVICE_MODEL;
  device.model_len = strlen(DEVICE_MODEL);
  device.environment = DEVICE_ENVIRONMENT;
  device.environment_len = strlen(DEVICE_ENVIRONMENT);
  device.current_version = counter; /* here the running version is the counter */
  device.current_version_len = strlen(counter);
  device.counter = counter;
  device.counter_len = strlen(counter);
  device.now = now;
  device.catalog = catalog;
  device.catalog_len = opened.payload_len;
  st = stepstone_verify_init_manifest(&ctx, sizeof ctx, manifest_key, (size_t)manifest_key_len,
                                      manifest, (size_t)manifest_len, signature,
                                      (size_t)signature_len, &device);
  if (st != STEPSTONE_OK) return refused("manifest", st);

  /* 6. Stream the image into the inactive slot as it downloads. The first chunk past the
   *    manifest's size is refused: stop downloading there. */
  FILE *in = fopen(path(srv, hop, ".bin"), "rb");
  char slot_new[1100];
  snprintf(slot_new, sizeof slot_new, "%s", path(dev, "slot.new", ""));
  FILE *slot = fopen(slot_new, "wb");
  if (!in || !slot) {
    fprintf(stderr, "device_flow: cannot download %s\n", hop);
    return 2;
  }
  size_t got;
  while (st == STEPSTONE_OK && (got = fread(chunk, 1, sizeof chunk, in)) > 0) {
    st = stepstone_verify_update(&ctx, chunk, got);
    if (st == STEPSTONE_OK && fwrite(chunk, 1, got, slot) != got) return 2;
  }
  fclose(in);
  fclose(slot);

  /* 7. Finish: size and SHA-256 against the manifest, and the verified facts. */
  StepstoneVerified v;
  if (st == STEPSTONE_OK) st = stepstone_verify_finish_checked(&ctx, &v);
  if (st != STEPSTONE_OK) {
    remove(slot_new); /* never boot it */
    return refused("image", st);
  }
  printf("verified: version %s, size %llu, expires %llu\n", v.version,
         (unsigned long long)v.size, (unsigned long long)v.expires);
  hex("  sha256 ", v.sha256, sizeof v.sha256);
  hex("  key_id ", v.key_id, sizeof v.key_id);

  /* 8. Install (here: make the new slot the active one), then store the verified version as
   *    the new anti-rollback counter and the catalog's state. Store the counter only once the
   *    image is installed, from `v.version`: the version the chain verified, not the hop. */
  if (rename(slot_new, path(dev, "slot.bin", "")) != 0) return 2;
  if (store(path(dev, "counter", ""), v.version, v.version_len) != 0) return 2;
  if (store(path(dev, "catalog.state", ""), &opened.state, sizeof opened.state) != 0) return 2;
  printf("installed %s; counter and catalog state (sequence %llu, floor %llu) stored\n", v.version,
         (unsigned long long)opened.state.sequence, (unsigned long long)opened.state.issued);
  return 0;
}
