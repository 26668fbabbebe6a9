/* Checksums for files the project writes: they catch accidents (a truncated
 * or damaged file), not malice; readers still validate every field. */
#ifndef LG_CHECKSUM_H
#define LG_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a, 64 bits: h = LG_FNV1A64_INIT to start; chain calls to hash pieces. */
#define LG_FNV1A64_INIT 0xCBF29CE484222325ULL
uint64_t lg_fnv1a64(uint64_t h, const void *data, size_t n);

/* 1 in a fuzzing build (libFuzzer's FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION):
 * readers then let a checksum mismatch through, so that the fuzzer reaches
 * the checks after it, which are what must hold against malice. */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define LG_FUZZING 1
#else
#define LG_FUZZING 0
#endif

#endif
