// The float transcendentals PyTorch's CPU kernels compute: its vectorized kernels call
// SLEEF's 1.0-ulp functions (Sleef_cosf8_u10 on AVX2, ..._f16_u10 on AVX-512), which are
// not the correctly rounded values libm gives (cos(1.0f): 0.540302336 against 0.540302277).
// SLEEF's scalar FMA variants compute the same algorithm and give the same bits; so the
// interpreter, which must equal PyTorch, uses them (Debian's libsleef, the library PyTorch
// builds in). Doubles keep libm: PyTorch's double kernels are not what vkqc checks.
#pragma once

namespace vkqc::interp::sleef {

float cos(float x);
float sin(float x);
float exp(float x);
float tanh(float x);

} // namespace vkqc::interp::sleef
