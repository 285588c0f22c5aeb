/* Checks an MCUboot image as the bootloader will, before the reboot: what an OTA agent does
 * once the image is in the secondary slot (here: read from a file).
 *
 *   mcuboot_check IMAGE KEY.der [EXPECTED_VERSION]
 *
 * IMAGE: what `imgtool sign` wrote; KEY.der: the ECDSA P-256 public key MCUboot holds, as DER
 * SubjectPublicKeyInfo. EXPECTED_VERSION: the version the verified stepstone manifest gave
 * (`StepstoneVerified::version`), which must be the image's `major.minor.revision.build`.
 * Prints the image's version and security counter; exit 0 when the image is good (and of the
 * expected version), 1 when it is refused, 2 on a usage or file error. docs/device.md, "MCUboot". */
#include <stdio.h>
#include <string.h>

#include "stepstone.h"

/* A slot's worth: the image is checked in place, never copied. */
static uint8_t slot[512 * 1024];
/* Room for a PEM key too, so that one is refused by the library (STEPSTONE_ERR_SIGNATURE_KEY_MALFORMED:
 * the device reads DER only) rather than by this program. */
static uint8_t key[512];

static long read_file(const char *path, uint8_t *buf, size_t cap) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  size_t n = fread(buf, 1, cap, f);
  int more = fgetc(f) != EOF;
  fclose(f);
  return more ? -2 : (long)n;
}

int main(int argc, char **argv) {
  if (argc != 3 && argc != 4) {
    fprintf(stderr, "usage: %s IMAGE KEY.der [EXPECTED_VERSION]\n", argv[0]);
    return 2;
  }
  long image_len = read_file(argv[1], slot, sizeof slot);
  long key_len = read_file(argv[2], key, sizeof key);
  if (image_len < 0 || key_len < 0) {
    fprintf(stderr, "%s: cannot read, or larger than %zu bytes\n", image_len < 0 ? argv[1] : argv[2],
            image_len < 0 ? sizeof slot : sizeof key);
    return 2;
  }
  StepstoneMcubootInfo info;
  int32_t st = stepstone_mcuboot_check(slot, (size_t)image_len, key, (size_t)key_len, &info);
  if (st != STEPSTONE_OK) {
    printf("refused: status %d (%s)\n", (int)st, stepstone_strerror(st));
    return 1;
  }
  printf("good: version %s", info.version);
  if (info.has_security_counter)
    printf(", security counter %lu (0x%08lx)", (unsigned long)info.security_counter,
           (unsigned long)info.security_counter);
  else
    printf(", no security counter");
  printf(", TLVs at %zu\n", info.tlv_offset);
  if (argc == 4 && strcmp(argv[3], info.version) != 0) {
    printf("refused: the manifest says version %s, the image is %s\n", argv[3], info.version);
    return 1;
  }
  return 0;
}
