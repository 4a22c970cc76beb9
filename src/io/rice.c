/* rice.c — RICE_1 tiles (rice.h), written from the format for speed.
 *
 * A Rice code's position depends on the length of the one before it, so a
 * tile is one chain of dependent steps (load, count leading zeros, advance);
 * four tiles are worked on in lockstep so that their chains overlap. Each
 * step is one unaligned 8-byte big-endian access at the bit position and a
 * leading-zero count; no per-bit loops, no data-dependent branches in the
 * common case. Compiled twice (plain x86-64, and x86-64-v3 for lzcnt, shlx
 * and movbe), chosen once from the processor (the same bytes either way).
 *
 * The choices that decide the bytes are cfitsio's exactly: differences wrap
 * at the pixel width and are mapped 0, -1, 1, -2 ... -> 0, 1, 2, 3 ...; a
 * block's split level is fs = the bit length of ((sum - m/2 - 1) / m) >> 1
 * for m pixels of mapped sum `sum` (cfitsio divides in double; for sums
 * below 2^38 the quotient's integer part is the same); fs >= fsmax writes
 * the raw differences, fs = 0 with a zero sum one code, anything else Rice
 * codes; the last byte is padded with zeros. */
#include "io/rice.h"

#include "core/core.h"

#include <string.h>

#include <pthread.h>

#define INLINE static inline __attribute__((always_inline))

enum { FLAT, RAW, NORMAL };
#define S4 4 /* the tiles in lockstep */

/* cfitsio's parameters of a pixel width (in bytes). */
#define BBITS(bp) (8u * (bp))
#define FSBITS(bp) ((bp) == 1 ? 3u : (bp) == 2 ? 4u : 5u)
#define FSMAX(bp) ((bp) == 1 ? 6u : (bp) == 2 ? 14u : 25u)

INLINE uint64_t load_be64(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
    return __builtin_bswap64(w);
}

INLINE void store_be64(unsigned char *p, uint64_t w)
{
    w = __builtin_bswap64(w);
    memcpy(p, &w, sizeof w);
}

/* Pixel j of a tile as an unsigned value of its width, and back. */
INLINE uint32_t pixel(const void *in, size_t j, unsigned bp)
{
    return bp == 1 ? ((const uint8_t *)in)[j]
                   : bp == 2 ? (uint16_t)((const int16_t *)in)[j] : (uint32_t)((const int32_t *)in)[j];
}

INLINE void set_pixel(void *out, size_t j, uint32_t v, unsigned bp)
{
    if (bp == 1)
        ((uint8_t *)out)[j] = (uint8_t)v;
    else if (bp == 2)
        ((int16_t *)out)[j] = (int16_t)(uint16_t)v;
    else
        ((int32_t *)out)[j] = (int32_t)v;
}

INLINE uint32_t width_mask(unsigned bp) { return bp == 4 ? 0xFFFFFFFFu : (1u << BBITS(bp)) - 1; }

/* (next - last) wrapped to the width, as a signed value, mapped. */
INLINE uint32_t mapped_difference(uint32_t next, uint32_t last, unsigned bp)
{
    const unsigned shift = 32 - BBITS(bp);
    const int32_t d = (int32_t)((next - last) << shift) >> shift;
    return (((uint32_t)d << 1) ^ (uint32_t)(d >> 31)) & width_mask(bp);
}

/* A mapped difference back to the signed one (0, 1, 2, 3 ... -> 0, -1, 1,
 * -2 ...), as an unsigned value of 32 bits. */
INLINE uint32_t unmap(uint32_t v) { return (v >> 1) ^ (0u - (v & 1u)); }

INLINE uint32_t add_unmapped(uint32_t last, uint32_t v, unsigned bp) { return (last + unmap(v)) & width_mask(bp); }

#if AIA_HAVE_V3
#include <immintrin.h>
/* The 32 pixels of a full 16-bit block from `last` and their differences d
 * (unmapped): the running sums in 16-bit lanes (a sum's low 16 bits are all
 * the pixel keeps), three shifted adds within each 128-bit half and one
 * carry across it, instead of a chain of 32 dependent adds. Returns the
 * last pixel. */
static AIA_TARGET_V3 uint32_t block_sums16_v3(const uint32_t d[32], uint32_t last, int16_t *out)
{
    const __m256i low16 = _mm256_set1_epi32(0xFFFF), element7 = _mm256_set1_epi16(0x0F0E);
    __m256i run = _mm256_set1_epi16((short)(uint16_t)last);
    for (int h = 0; h < 2; h++) {
        const __m256i a = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(d + 16 * h)), low16);
        const __m256i b = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(d + 16 * h + 8)), low16);
        __m256i x = _mm256_permute4x64_epi64(_mm256_packus_epi32(a, b), 0xD8); /* 16 lanes in order */
        x = _mm256_add_epi16(x, _mm256_slli_si256(x, 2));
        x = _mm256_add_epi16(x, _mm256_slli_si256(x, 4));
        x = _mm256_add_epi16(x, _mm256_slli_si256(x, 8));
        const __m256i totals = _mm256_shuffle_epi8(x, element7); /* each half's last sum, in all its lanes */
        x = _mm256_add_epi16(x, _mm256_permute2x128_si256(totals, totals, 0x08)); /* the low half's into the high */
        x = _mm256_add_epi16(x, run);
        _mm256_storeu_si256((__m256i *)(out + 16 * h), x);
        run = _mm256_permute4x64_epi64(_mm256_shuffle_epi8(x, element7), 0xFF); /* lane 15 everywhere */
    }
    return (uint16_t)_mm256_extract_epi16(run, 0);
}
#endif

size_t aia_rice_bound(size_t n, int bytepix)
{
    /* the first pixel, a split code per block, and per pixel at most the
     * raw width; a Rice code is longer than raw only where fs < fsmax was
     * chosen from the mean, by less than 3 + fs bits a pixel */
    return (size_t)bytepix + n * (size_t)bytepix * 2 + n + 16;
}

/* ---- encoding -------------------------------------------------------------- */

/* Codes are ORed into the top of acc; whole bytes go out after each code
 * (one 8-byte store; the bytes after the last whole one are rewritten by
 * the next code). n < 8 between codes, so a code may have up to 56 bits. */
typedef struct writer {
    unsigned char *p;
    uint64_t acc;
    unsigned n;
} writer;

INLINE void put(writer *w, uint64_t code, unsigned len)
{
    w->acc |= code << (64 - w->n - len);
    w->n += len;
    store_be64(w->p, w->acc);
    const unsigned bytes = w->n >> 3; /* <= 7: the shift below is < 64 */
    w->p += bytes;
    w->acc <<= 8 * bytes;
    w->n &= 7;
}

/* A pixel's Rice code: top = v >> fs zeros, a one, the fs low bits. */
INLINE void put_rice(writer *w, uint32_t v, unsigned fs)
{
    uint32_t top = v >> fs;
    while (top + 1 + fs > 56) { /* a long unary run: its zeros first */
        put(w, 0, 32);
        top -= 32;
    }
    put(w, ((uint64_t)1 << fs) | (v & ((1u << fs) - 1)), top + 1 + fs);
}

/* One block of one tile: its mapped differences, its kind and fs, and for
 * a NORMAL block the codes of each 4 pixels as one (put as one where they
 * take <= 56 bits; the rare longer ones are put pair by pair or code by
 * code, made again from d: code_of, len_of). */
typedef struct block {
    uint32_t d[AIA_RICE_MAX_BLOCK];
    uint64_t quad[AIA_RICE_MAX_BLOCK / 4];
    uint32_t quad_len[AIA_RICE_MAX_BLOCK / 4];
    unsigned fs;
    int kind;
} block;

/* Pixel j's Rice code, top = d >> fs zeros, a one and the fs low bits, as
 * the value (1 << fs) + low and its length. */
INLINE uint32_t code_of(const block *b, size_t j) { return (1u << b->fs) | (b->d[j] & ((1u << b->fs) - 1)); }
INLINE uint32_t len_of(const block *b, size_t j) { return (b->d[j] >> b->fs) + 1 + b->fs; }

/* cfitsio's split level of a block of m pixels of mapped sum `sum` (a full
 * block's divide is a shift), and the block's kind. */
INLINE unsigned split_level(uint64_t sum, size_t m, unsigned bp)
{
    const uint64_t half = m / 2 + 1;
    const uint64_t mean = sum < half ? 0 : m == 32 ? (sum - half) >> 5 : (sum - half) / m;
    const uint64_t psum = (mean & width_mask(bp)) >> 1;
    return psum ? 64 - (unsigned)__builtin_clzll(psum) : 0;
}

INLINE int block_kind(unsigned fs, uint64_t sum, unsigned bp)
{
    return fs >= FSMAX(bp) ? RAW : fs == 0 && sum == 0 ? FLAT : NORMAL;
}

INLINE void plan_block(const void *in, size_t i, size_t m, uint32_t last, unsigned bp, block *b)
{
    /* the first difference apart, so that the loop has no condition and
     * vectorises (it was a third of the encoder's time as scalar code) */
    b->d[0] = mapped_difference(pixel(in, i, bp), last, bp);
    uint64_t sum = b->d[0];
    for (size_t j = 1; j < m; j++) {
        b->d[j] = mapped_difference(pixel(in, i + j, bp), pixel(in, i + j - 1, bp), bp);
        sum += b->d[j];
    }
    b->fs = split_level(sum, m, bp);
    b->kind = block_kind(b->fs, sum, bp);
    if (b->kind != NORMAL)
        return;
    /* the codes, pairs and quads each in a loop of their own (they
     * vectorise), so that the writers' chains only put them; a shift, masked,
     * of a pair or quad longer than 56 bits gives a value never put */
    uint32_t code[AIA_RICE_MAX_BLOCK], len[AIA_RICE_MAX_BLOCK], pair_len[AIA_RICE_MAX_BLOCK / 2];
    uint64_t pair[AIA_RICE_MAX_BLOCK / 2];
    for (size_t j = 0; j < m; j++) {
        code[j] = code_of(b, j);
        len[j] = len_of(b, j);
    }
    for (size_t q = 0; q < m / 2; q++) {
        pair[q] = ((uint64_t)code[2 * q] << (len[2 * q + 1] & 63)) | code[2 * q + 1];
        pair_len[q] = len[2 * q] + len[2 * q + 1];
    }
    for (size_t r = 0; r < m / 4; r++) {
        b->quad[r] = (pair[2 * r] << (pair_len[2 * r + 1] & 63)) | pair[2 * r + 1];
        b->quad_len[r] = pair_len[2 * r] + pair_len[2 * r + 1];
    }
}

#if AIA_HAVE_V3
/* plan_block for a full block (32 pixels, i > 0) of 16-bit pixels at v3:
 * the same d and quads, in vectors of 8 lanes. plan_block's loops, which GCC
 * vectorised with gathers and permutes, and a divide a block, had been most
 * of the encoder's time (a harness without the puts: 28 of 35 ms a frame). */
static AIA_TARGET_V3 void plan_block16_v3(const int16_t *in, size_t i, block *b)
{
    __m256i d[4];
    for (int h = 0; h < 2; h++) {
        const __m256i x = _mm256_loadu_si256((const __m256i *)(in + i + 16 * h));
        const __m256i prev = _mm256_loadu_si256((const __m256i *)(in + i + 16 * h - 1));
        const __m256i diff = _mm256_sub_epi16(x, prev); /* wraps at 16 bits, as mapped_difference */
        const __m256i mapped = _mm256_xor_si256(_mm256_slli_epi16(diff, 1), _mm256_srai_epi16(diff, 15));
        d[2 * h] = _mm256_cvtepu16_epi32(_mm256_castsi256_si128(mapped));
        d[2 * h + 1] = _mm256_cvtepu16_epi32(_mm256_extracti128_si256(mapped, 1));
    }
    __m256i total = _mm256_add_epi32(_mm256_add_epi32(d[0], d[1]), _mm256_add_epi32(d[2], d[3]));
    for (int k = 0; k < 4; k++)
        _mm256_storeu_si256((__m256i *)(b->d + 8 * k), d[k]);
    __m128i t = _mm_add_epi32(_mm256_castsi256_si128(total), _mm256_extracti128_si256(total, 1));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0x4E));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0xB1));
    const uint64_t sum = (uint32_t)_mm_cvtsi128_si32(t); /* < 32 x 2^16 */
    b->fs = split_level(sum, 32, 2);
    b->kind = block_kind(b->fs, sum, 2);
    if (b->kind != NORMAL)
        return;
    const unsigned fs = b->fs;
    const __m256i bit = _mm256_set1_epi32(1 << fs), low = _mm256_set1_epi32((1 << fs) - 1);
    const __m256i extra = _mm256_set1_epi32((int)(1 + fs)), lanes32 = _mm256_set1_epi64x(0xFFFFFFFF);
    const __m256i m63 = _mm256_set1_epi64x(63), even32 = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
    const __m128i count = _mm_cvtsi32_si128((int)fs);
    __m256i quad[4], quad_len[4];
    for (int k = 0; k < 4; k++) {
        const __m256i code = _mm256_or_si256(bit, _mm256_and_si256(d[k], low));
        const __m256i len = _mm256_add_epi32(_mm256_srl_epi32(d[k], count), extra);
        /* a 64-bit lane holds pixels 2q (low half) and 2q + 1 (high half) */
        const __m256i odd_len = _mm256_srli_epi64(len, 32);
        const __m256i even_code = _mm256_and_si256(code, lanes32), odd_shift = _mm256_and_si256(odd_len, m63);
        const __m256i pair = _mm256_or_si256(_mm256_sllv_epi64(even_code, odd_shift), _mm256_srli_epi64(code, 32));
        const __m256i pair_len = _mm256_add_epi64(_mm256_and_si256(len, lanes32), odd_len);
        /* pairs 2r, 2r + 1 in lanes 0, 1 and 2, 3: the quads in lanes 0 and 2 */
        const __m256i next = _mm256_permute4x64_epi64(pair, 0xF5), next_len = _mm256_permute4x64_epi64(pair_len, 0xF5);
        quad[k] = _mm256_or_si256(_mm256_sllv_epi64(pair, _mm256_and_si256(next_len, m63)), next);
        quad_len[k] = _mm256_add_epi64(pair_len, next_len);
    }
    for (int h = 0; h < 2; h++) { /* quads 4h .. 4h + 3 from lanes 0, 2 of vectors 2h, 2h + 1 */
        const __m256i q = _mm256_permute4x64_epi64(_mm256_unpacklo_epi64(quad[2 * h], quad[2 * h + 1]), 0xD8);
        const __m256i ql = _mm256_permute4x64_epi64(_mm256_unpacklo_epi64(quad_len[2 * h], quad_len[2 * h + 1]), 0xD8);
        _mm256_storeu_si256((__m256i *)(b->quad + 4 * h), q);
        const __m256i ql32 = _mm256_permutevar8x32_epi32(ql, even32); /* the lengths' low halves, in order */
        _mm_storeu_si128((__m128i *)(b->quad_len + 4 * h), _mm256_castsi256_si128(ql32));
    }
}
#endif

/* Pixel j of a planned NORMAL block: its code, or a long unary run (> 56
 * bits: rare) by put_rice. */
INLINE void put_planned(writer *w, const block *b, size_t j)
{
    const uint32_t len = len_of(b, j);
    if (__builtin_expect(len > 56, 0))
        put_rice(w, b->d[j], b->fs);
    else
        put(w, code_of(b, j), len);
}

/* Pixels 2q and 2q + 1 of a planned NORMAL block (a quad too long to put
 * as one: rare). */
INLINE void put_pair(writer *w, const block *b, size_t q)
{
    const uint32_t second = len_of(b, 2 * q + 1), both = len_of(b, 2 * q) + second;
    if (both > 56) {
        put_planned(w, b, 2 * q);
        put_planned(w, b, 2 * q + 1);
    } else {
        put(w, ((uint64_t)code_of(b, 2 * q) << second) | code_of(b, 2 * q + 1), both);
    }
}

/* Pixels 4r .. 4r + 3. */
INLINE void put_quad(writer *w, const block *b, size_t r)
{
    if (__builtin_expect(b->quad_len[r] > 56, 0)) {
        put_pair(w, b, 2 * r);
        put_pair(w, b, 2 * r + 1);
    } else {
        put(w, b->quad[r], b->quad_len[r]);
    }
}

/* Pixels 4 * (m / 4) .. m - 1. */
INLINE void put_rest(writer *w, const block *b, size_t m)
{
    for (size_t j = m / 4 * 4; j < m; j++)
        put_planned(w, b, j);
}

INLINE void put_block(writer *w, const block *b, size_t m, unsigned bp)
{
    if (b->kind == RAW) {
        put(w, FSMAX(bp) + 1, FSBITS(bp));
        for (size_t j = 0; j < m; j++)
            put(w, b->d[j], BBITS(bp));
    } else if (b->kind == FLAT) {
        put(w, 0, FSBITS(bp));
    } else {
        put(w, b->fs + 1, FSBITS(bp));
        for (size_t r = 0; r < m / 4; r++)
            put_quad(w, b, r);
        put_rest(w, b, m);
    }
}

INLINE int encode(const void *const in[], int k, size_t n, int block_size, unsigned char *const out[], size_t len[],
                  unsigned bp, int v3)
{
    (void)v3;
    if (block_size <= 0 || block_size > AIA_RICE_MAX_BLOCK || k < 1 || k > AIA_RICE_STREAMS || n == 0)
        return -1;
    writer w[S4];
    block b[S4];
    for (int s = 0; s < k; s++) {
        w[s] = (writer){out[s], 0, 0};
        put(&w[s], pixel(in[s], 0, bp), BBITS(bp));
    }
    for (size_t i = 0; i < n; i += (size_t)block_size) {
        const size_t m = n - i < (size_t)block_size ? n - i : (size_t)block_size;
        int normal = 1;
        for (int s = 0; s < k; s++) {
#if AIA_HAVE_V3
            if (v3 && bp == 2 && m == 32 && i > 0)
                plan_block16_v3((const int16_t *)in[s], i, &b[s]);
            else
#endif
                plan_block(in[s], i, m, pixel(in[s], i ? i - 1 : 0, bp), bp, &b[s]);
            normal &= b[s].kind == NORMAL;
        }
        if (k == S4 && normal) { /* the common case: four chains in lockstep */
            writer w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
            put(&w0, b[0].fs + 1, FSBITS(bp));
            put(&w1, b[1].fs + 1, FSBITS(bp));
            put(&w2, b[2].fs + 1, FSBITS(bp));
            put(&w3, b[3].fs + 1, FSBITS(bp));
            for (size_t r = 0; r < m / 4; r++) {
                put_quad(&w0, &b[0], r);
                put_quad(&w1, &b[1], r);
                put_quad(&w2, &b[2], r);
                put_quad(&w3, &b[3], r);
            }
            put_rest(&w0, &b[0], m);
            put_rest(&w1, &b[1], m);
            put_rest(&w2, &b[2], m);
            put_rest(&w3, &b[3], m);
            w[0] = w0, w[1] = w1, w[2] = w2, w[3] = w3;
        } else {
            for (int s = 0; s < k; s++)
                put_block(&w[s], &b[s], m, bp);
        }
    }
    for (int s = 0; s < k; s++)
        len[s] = (size_t)(w[s].p - out[s]) + (w[s].n ? 1 : 0);
    return 0;
}

/* ---- decoding -------------------------------------------------------------- */

/* The 57 or more bits from bit position pos on, the first at the top. */
INLINE uint64_t bits_at(const unsigned char *in, uint64_t pos) { return load_be64(in + (pos >> 3)) << (pos & 7); }

/* A pixel whose unary part has 32 zeros or more (rare): counted 32 at a
 * time, each step checked against the data's end. The mapped value (or -1
 * for a run past the data or beyond any pixel's code) and the position
 * after it. Returned, not written through a pointer, so that the callers'
 * positions can stay in registers. */
typedef struct long_result {
    int64_t v;
    uint64_t pos;
} long_result;

static long_result long_code(const unsigned char *in, uint64_t pos, uint64_t end, unsigned fs, unsigned bbits)
{
    uint64_t zeros = 0, w = bits_at(in, pos);
    while ((w >> 32) == 0) {
        zeros += 32;
        pos += 32;
        if (zeros > ((UINT64_C(1) << bbits) >> fs) || pos > end)
            return (long_result){-1, pos};
        w = bits_at(in, pos);
    }
    const unsigned nz = (unsigned)__builtin_clzll(w);
    const uint64_t low = ((w << nz << 1) >> (63 - fs)) >> 1;
    return (long_result){(int64_t)((((zeros + nz) << fs) | low) & UINT64_C(0xFFFFFFFF)), pos + nz + 1 + fs};
}

/* One Rice code's mapped value into V: the common case has fewer than 32
 * leading zeros, so the whole code is within the 57 bits at hand
 * (nz + 1 + fs <= 56); else long_code. ON_CORRUPT runs for a corrupt run. */
#define RICE_VALUE(IN, POS, END, V, FS, BP, ON_CORRUPT)                                            \
    do {                                                                                           \
        const uint64_t w_ = bits_at(IN, POS);                                                      \
        if (__builtin_expect((w_ >> 32) == 0, 0)) {                                                \
            const long_result r_ = long_code(IN, POS, END, FS, BBITS(BP));                         \
            POS = r_.pos;                                                                          \
            if (r_.v < 0)                                                                          \
                ON_CORRUPT;                                                                        \
            V = (uint32_t)r_.v;                                                                    \
        } else {                                                                                   \
            const unsigned nz_ = (unsigned)__builtin_clzll(w_);                                    \
            /* the leading one and the fs bits after it are (1 << fs) + low;     \
             * v = (nz << fs) + low (unsigned: wraps right for nz = 0) */        \
            V = (uint32_t)((w_ << nz_) >> (63 - (FS))) + ((nz_ - 1u) << (FS));                     \
            POS += nz_ + 1 + (FS);                                                                 \
        }                                                                                          \
    } while (0)

/* Two Rice codes' mapped values into V0, V1 from one look at the bits when
 * both lie within the 57 at hand (AIA's codes are ~6-8 bits: nearly
 * always), so the chain through the bit position takes one load and one
 * step for the two; else V1 as RICE_VALUE finds it. */
#define RICE_VALUE2(IN, POS, END, V0, V1, FS, BP, ON_CORRUPT)                                      \
    do {                                                                                           \
        const uint64_t word_ = bits_at(IN, POS);                                                   \
        if (__builtin_expect((word_ >> 32) == 0, 0)) {                                             \
            RICE_VALUE(IN, POS, END, V0, FS, BP, ON_CORRUPT);                                      \
            RICE_VALUE(IN, POS, END, V1, FS, BP, ON_CORRUPT);                                      \
        } else {                                                                                   \
            const unsigned zeros_ = (unsigned)__builtin_clzll(word_);                              \
            V0 = (uint32_t)((word_ << zeros_) >> (63 - (FS))) + ((zeros_ - 1u) << (FS));           \
            const unsigned first_ = zeros_ + 1 + (FS); /* <= 57 */                                 \
            const uint64_t rest_ = word_ << first_;                                                \
            const unsigned zeros2_ = (unsigned)__builtin_clzll(rest_ | 1); /* 63: none left */     \
            if (__builtin_expect(first_ + zeros2_ + 1 + (FS) <= 57, 1)) {                          \
                V1 = (uint32_t)((rest_ << zeros2_) >> (63 - (FS))) + ((zeros2_ - 1u) << (FS));     \
                POS += first_ + zeros2_ + 1 + (FS);                                                \
            } else {                                                                               \
                POS += first_;                                                                     \
                RICE_VALUE(IN, POS, END, V1, FS, BP, ON_CORRUPT);                                  \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/* One Rice-coded pixel, decoded and stored. The running value LAST is not
 * masked to the width: the store truncates, and a sum's low bits do not
 * depend on its high ones. */
#define RICE_STEP(IN, POS, END, LAST, OUT, J, FS, BP, ON_CORRUPT)                                  \
    do {                                                                                           \
        uint32_t v_;                                                                               \
        RICE_VALUE(IN, POS, END, v_, FS, BP, ON_CORRUPT);                                          \
        LAST += unmap(v_);                                                                         \
        set_pixel(OUT, J, LAST, BP);                                                               \
    } while (0)

INLINE int fail(aia_rice_error *err, int tile, size_t byte, const char *why)
{
    err->tile = tile;
    err->byte = byte;
    err->why = why;
    return -1;
}

static const char corrupt_run[] = "a run of zero bits longer than any pixel's code";

/* The pixels of one block of one tile after its code; 0 or -1 (a corrupt
 * run). */
INLINE int decode_block(const unsigned char *in, uint64_t *pos, uint64_t end, uint32_t *last, void *out, size_t i,
                        size_t m, unsigned code, unsigned bp)
{
    uint64_t p = *pos;
    uint32_t l = *last;
    if (code == 0) { /* flat */
        for (size_t j = 0; j < m; j++)
            set_pixel(out, i + j, l, bp);
    } else if (code == FSMAX(bp) + 1) { /* raw differences */
        for (size_t j = 0; j < m; j++, p += BBITS(bp)) {
            l = add_unmapped(l, (uint32_t)(bits_at(in, p) >> (64 - BBITS(bp))), bp);
            set_pixel(out, i + j, l, bp);
        }
    } else {
        const unsigned fs = code - 1;
        for (size_t j = 0; j < m; j++)
            RICE_STEP(in, p, end, l, out, i + j, fs, bp, return -1);
    }
    *pos = p;
    *last = l;
    return 0;
}

INLINE size_t byte_of(uint64_t pos, size_t len) { return (size_t)(pos >> 3) < len ? (size_t)(pos >> 3) : len; }

INLINE int decode(const unsigned char *const in[], const size_t len[], int k, void *const out[], size_t n,
                  int block_size, aia_rice_error *err, unsigned bp, int v3)
{
    (void)v3;
    if (block_size <= 0 || block_size > AIA_RICE_MAX_BLOCK || k < 1 || k > AIA_RICE_STREAMS)
        return fail(err, 0, 0, "a block size out of range");
    uint64_t pos[S4], end[S4];
    uint32_t last[S4];
    unsigned code[S4];
    for (int s = 0; s < k; s++) {
        end[s] = (uint64_t)len[s] * 8;
        if (end[s] < BBITS(bp) + FSBITS(bp))
            return fail(err, s, 0, "shorter than its first pixel and block code");
        last[s] = (uint32_t)(bits_at(in[s], 0) >> (64 - BBITS(bp)));
        pos[s] = BBITS(bp);
    }
    for (size_t i = 0; i < n; i += (size_t)block_size) {
        const size_t m = n - i < (size_t)block_size ? n - i : (size_t)block_size;
        int normal = 1;
        for (int s = 0; s < k; s++) {
            code[s] = (unsigned)(bits_at(in[s], pos[s]) >> (64 - FSBITS(bp)));
            if (code[s] > FSMAX(bp) + 1)
                return fail(err, s, byte_of(pos[s], len[s]), "a block code beyond the largest split level");
            pos[s] += FSBITS(bp);
            normal &= code[s] != 0 && code[s] != FSMAX(bp) + 1;
        }
        if (k == S4 && normal) { /* the common case: four chains in lockstep */
            uint64_t p0 = pos[0], p1 = pos[1], p2 = pos[2], p3 = pos[3];
            const unsigned f0 = code[0] - 1, f1 = code[1] - 1, f2 = code[2] - 1, f3 = code[3] - 1;
            /* the chains only find the codes' values; the running sums, which
             * do not feed the chains, follow per tile (fewer live registers
             * in the chains: with four, their state had spilled) */
            uint32_t v[S4][AIA_RICE_MAX_BLOCK];
            size_t q = 0; /* the pixels decoded: two a step */
            for (; q + 1 < m; q += 2) {
#define PAIR(T, P, F)                                                                              \
    RICE_VALUE2(in[T], P, end[T], v[T][q], v[T][q + 1], F, bp, return fail(err, T, byte_of(P, len[T]), corrupt_run))
                PAIR(0, p0, f0);
                PAIR(1, p1, f1);
                PAIR(2, p2, f2);
                PAIR(3, p3, f3);
#undef PAIR
            }
            if (q < m) {
                RICE_VALUE(in[0], p0, end[0], v[0][q], f0, bp, return fail(err, 0, byte_of(p0, len[0]), corrupt_run));
                RICE_VALUE(in[1], p1, end[1], v[1][q], f1, bp, return fail(err, 1, byte_of(p1, len[1]), corrupt_run));
                RICE_VALUE(in[2], p2, end[2], v[2][q], f2, bp, return fail(err, 2, byte_of(p2, len[2]), corrupt_run));
                RICE_VALUE(in[3], p3, end[3], v[3][q], f3, bp, return fail(err, 3, byte_of(p3, len[3]), corrupt_run));
            }
            pos[0] = p0, pos[1] = p1, pos[2] = p2, pos[3] = p3;
            for (int t = 0; t < S4; t++) {
                for (size_t j = 0; j < m; j++) /* a loop of its own: it vectorises */
                    v[t][j] = unmap(v[t][j]);
#if AIA_HAVE_V3
                if (v3 && bp == 2 && m == 32) {
                    last[t] = block_sums16_v3(v[t], last[t], (int16_t *)out[t] + i);
                    continue;
                }
#endif
                uint32_t l = last[t];
                for (size_t j = 0; j < m; j++) {
                    l += v[t][j]; /* unmasked, as in RICE_STEP */
                    set_pixel(out[t], i + j, l, bp);
                }
                last[t] = l;
            }
        } else {
            for (int s = 0; s < k; s++)
                if (decode_block(in[s], &pos[s], end[s], &last[s], out[s], i, m, code[s], bp))
                    return fail(err, s, byte_of(pos[s], len[s]), corrupt_run);
        }
        for (int s = 0; s < k; s++)
            if (pos[s] > end[s])
                return fail(err, s, len[s], "the data end before the last pixel (truncated or corrupt)");
    }
    return 0;
}

/* ---- the three widths, twice: for any x86-64, and for x86-64-v3 ----------- */

typedef struct codec {
    int (*encode[3])(const void *const in[], int k, size_t n, int block, unsigned char *const out[], size_t len[]);
    int (*decode[3])(const unsigned char *const in[], const size_t len[], int k, void *const out[], size_t n,
                     int block, aia_rice_error *err);
} codec;

#define LEVEL(SUFFIX, ATTR)                                                                        \
    static ATTR int enc1_##SUFFIX(const void *const in[], int k, size_t n, int b, unsigned char *const out[], \
                                  size_t len[])                                                    \
    {                                                                                              \
        return encode(in, k, n, b, out, len, 1, V3);                                               \
    }                                                                                              \
    static ATTR int enc2_##SUFFIX(const void *const in[], int k, size_t n, int b, unsigned char *const out[], \
                                  size_t len[])                                                    \
    {                                                                                              \
        return encode(in, k, n, b, out, len, 2, V3);                                               \
    }                                                                                              \
    static ATTR int enc4_##SUFFIX(const void *const in[], int k, size_t n, int b, unsigned char *const out[], \
                                  size_t len[])                                                    \
    {                                                                                              \
        return encode(in, k, n, b, out, len, 4, V3);                                               \
    }                                                                                              \
    static ATTR int dec1_##SUFFIX(const unsigned char *const in[], const size_t len[], int k, void *const out[], \
                                  size_t n, int b, aia_rice_error *e)                              \
    {                                                                                              \
        return decode(in, len, k, out, n, b, e, 1, V3);                                            \
    }                                                                                              \
    static ATTR int dec2_##SUFFIX(const unsigned char *const in[], const size_t len[], int k, void *const out[], \
                                  size_t n, int b, aia_rice_error *e)                              \
    {                                                                                              \
        return decode(in, len, k, out, n, b, e, 2, V3);                                            \
    }                                                                                              \
    static ATTR int dec4_##SUFFIX(const unsigned char *const in[], const size_t len[], int k, void *const out[], \
                                  size_t n, int b, aia_rice_error *e)                              \
    {                                                                                              \
        return decode(in, len, k, out, n, b, e, 4, V3);                                            \
    }                                                                                              \
    static const codec codec_##SUFFIX = {{enc1_##SUFFIX, enc2_##SUFFIX, enc4_##SUFFIX},             \
                                         {dec1_##SUFFIX, dec2_##SUFFIX, dec4_##SUFFIX}};
#define V3 0
LEVEL(generic, )
#undef V3
#if AIA_HAVE_V3
#define V3 1
LEVEL(v3, AIA_TARGET_V3)
#undef V3
#endif

/* lzcnt, shlx and movbe (x86-64-v3) make the chains a third shorter. */
static const codec *chosen = &codec_generic;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void choose(void)
{
#if AIA_HAVE_V3
    if (aia_cpu_x86_level() >= 3)
        chosen = &codec_v3;
#endif
}

static const codec *pick(void)
{
    pthread_once(&once, choose);
    return chosen;
}

#define WIDTH(NAME, T, INDEX)                                                                      \
    int aia_rice_encode##NAME(const T *const in[], int k, size_t n, int block_size, unsigned char *const out[], \
                              size_t len[])                                                        \
    {                                                                                              \
        return pick()->encode[INDEX]((const void *const *)in, k, n, block_size, out, len);        \
    }                                                                                              \
    int aia_rice_decode##NAME(const unsigned char *const in[], const size_t len[], int k, T *const out[], \
                              size_t n, int block_size, aia_rice_error *err)                       \
    {                                                                                              \
        return pick()->decode[INDEX](in, len, k, (void *const *)out, n, block_size, err);         \
    }
WIDTH(8, uint8_t, 0)
WIDTH(16, int16_t, 1)
WIDTH(32, int32_t, 2)
