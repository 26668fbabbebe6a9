/* Which vector instruction set the hot loops use (lg_isa.h). */
#include "lg_isa.h"

#include <stdatomic.h>
#include <string.h>

static const char *const isa_names[] = {"auto", "sse2", "avx2", "avx512"};
static atomic_int chosen = LG_ISA_AUTO; /* LG_ISA_AUTO: not chosen yet */

int lg_isa_available(lg_isa isa)
{
    switch (isa) {
    case LG_ISA_AUTO:
    case LG_ISA_SSE2: return 1;
#ifdef LG_X86
    case LG_ISA_AVX2: return __builtin_cpu_supports("avx2");
    case LG_ISA_AVX512:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512vl");
#endif
    default: return 0;
    }
}

static lg_isa best(void)
{
    return lg_isa_available(LG_ISA_AVX512) ? LG_ISA_AVX512
           : lg_isa_available(LG_ISA_AVX2) ? LG_ISA_AVX2
                                           : LG_ISA_SSE2;
}

int lg_isa_set(lg_isa isa)
{
    if ((int)isa < LG_ISA_AUTO || (int)isa > LG_ISA_AVX512 || !lg_isa_available(isa)) return -1;
    atomic_store(&chosen, isa == LG_ISA_AUTO ? best() : isa);
    return 0;
}

lg_isa lg_isa_get(void)
{
    int isa = atomic_load(&chosen);
    if (isa == LG_ISA_AUTO) { /* first use: the best, unless lg_isa_set got there first */
        int expected = LG_ISA_AUTO;
        atomic_compare_exchange_strong(&chosen, &expected, (int)best());
        isa = atomic_load(&chosen);
    }
    return (lg_isa)isa;
}

const char *lg_isa_name(lg_isa isa)
{
    return (int)isa >= LG_ISA_AUTO && (int)isa <= LG_ISA_AVX512 ? isa_names[isa] : "?";
}

int lg_isa_parse(const char *name)
{
    for (int i = 0; i <= LG_ISA_AVX512; i++)
        if (!strcmp(name, isa_names[i])) return i;
    return -1;
}
