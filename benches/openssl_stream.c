/* OpenSSL's SHA-256 (EVP, libcrypto) on the benchmark's own workload: the same 16 MiB image,
 * fed in 4 KiB chunks, and one cache-hot 4 KiB buffer fed 4096 times (what `openssl speed
 * -bytes 4096` measures); plus a plain read of the 16 MiB (sum of 64-bit words) for the memory
 * cost alone. Thread CPU time, median of 31 passes, printed as MB/s (10^6 bytes per CPU
 * second). benches/openssl_compare.sh builds and runs it when the OpenSSL headers are there:
 *   cc -O2 -o openssl_stream benches/openssl_stream.c -lcrypto
 */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IMAGE_LEN (16u * 1024u * 1024u)
#define CHUNK 4096u
#define PASSES 31

static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static volatile uint64_t sink;

/* mode 0: 16 MiB in 4 KiB chunks; 1: the same 4 KiB buffer 4096 times; 2: read only. */
static double pass(const uint8_t *img, int mode) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    double t0 = cpu_now();
    if (mode == 2) {
        uint64_t sum = 0, w;
        for (size_t i = 0; i < IMAGE_LEN; i += 8) {
            memcpy(&w, img + i, 8);
            sum += w;
        }
        sink = sum;
    } else {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
        for (size_t off = 0; off < IMAGE_LEN; off += CHUNK)
            EVP_DigestUpdate(ctx, mode == 0 ? img + off : img, CHUNK);
        EVP_DigestFinal_ex(ctx, out, &len);
        EVP_MD_CTX_free(ctx);
        sink = out[0];
    }
    return cpu_now() - t0;
}

int main(void) {
    uint8_t *img = malloc(IMAGE_LEN);
    if (!img) return 1;
    /* The benchmark's image: byte i is (i * 2654435761) mod 2^32, low byte. */
    for (uint32_t i = 0; i < IMAGE_LEN; i++) img[i] = (uint8_t)(i * 2654435761u);
    static const char *names[] = {"openssl_sha256_16MiB_4KiB_chunks", "openssl_sha256_same_4KiB_buffer",
                                  "memory_read_16MiB"};
    for (int mode = 0; mode < 3; mode++) {
        double t[PASSES];
        pass(img, mode); /* warm-up */
        for (int i = 0; i < PASSES; i++) t[i] = pass(img, mode);
        qsort(t, PASSES, sizeof t[0], cmp);
        printf("%s %.0f MB/s\n", names[mode], IMAGE_LEN / t[PASSES / 2] / 1e6);
    }
    free(img);
    return 0;
}
