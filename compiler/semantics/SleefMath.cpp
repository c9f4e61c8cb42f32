#include "compiler/semantics/SleefMath.h"

#include <sleef.h>

// sleef.h declares the FMA variants only for FMA builds (FP_FAST_FMA); the library always
// has them, and they run only where the CPU has FMA (checked below).
extern "C" {
float Sleef_cosf1_u10purecfma(float);
float Sleef_sinf1_u10purecfma(float);
float Sleef_expf1_u10purecfma(float);
float Sleef_tanhf1_u10purecfma(float);
}

namespace vkqc::interp::sleef {

namespace {
// The FMA variants match PyTorch's vectorized (FMA) kernels; a CPU without FMA gets the
// plain C ones, which PyTorch's own non-FMA builds would not match bit for bit either.
const bool kHasFma = __builtin_cpu_supports("fma");
} // namespace

float cos(float x) { return kHasFma ? Sleef_cosf1_u10purecfma(x) : Sleef_cosf1_u10purec(x); }
float sin(float x) { return kHasFma ? Sleef_sinf1_u10purecfma(x) : Sleef_sinf1_u10purec(x); }
float exp(float x) { return kHasFma ? Sleef_expf1_u10purecfma(x) : Sleef_expf1_u10purec(x); }
float tanh(float x) { return kHasFma ? Sleef_tanhf1_u10purecfma(x) : Sleef_tanhf1_u10purec(x); }

} // namespace vkqc::interp::sleef
