/* One width of the AVX-512 tiles, included by lgn_gemm.c with T_W, T_BLOCK
 * and (but for the narrowest) T_NEXT defined: every width has tiles of 16
 * rows x one vector, 8-row half tiles, and the AVX-512 target (whose
 * AVX-512VL gives the ymm and xmm widths 32 registers and memory-operand
 * broadcasts too). lgn_gemm_tiles.h undefines it all again. */
#ifndef LGN_GEMM_ROWS16
#define LGN_GEMM_ROWS16
#define ROWS8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define ROWS16(X) ROWS8(X) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
#endif
#define T_NV 1
#define T_MR 16
#define T_ROWS(X) ROWS16(X)
#define T_HALF_MR 8
#define T_HALF(X) ROWS8(X)
#define T_ATTR LG_TARGET_AVX512
#include "lgn_gemm_tiles.h"
