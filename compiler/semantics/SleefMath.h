// The float transcendentals as close to PyTorch's CPU kernels as Debian's libraries get.
// PyTorch's vectorized silu, sigmoid and tanh call SLEEF's 1.0-ulp functions
// (Sleef_expf16_u10 on AVX-512), its cos, sin and exp MKL's vector math. Debian's libsleef
// 3.5.1 scalar FMA variants (the same algorithm as its AVX2/AVX-512 ones) match PyTorch
// 2.11's silu on all but 1 of 1e5 inputs; its cos and sin differ from MKL's on 2.3% of
// inputs in [-100, 100] (libm: 5.0%), cos(1.0f) included (0.540302336, as PyTorch; libm
// 0.540302277). Measured against PyTorch's own outputs on the machine that made the
// corpus. Doubles keep libm.
#pragma once

namespace vkqc::interp::sleef {

float cos(float x);
float sin(float x);
float exp(float x);
float tanh(float x);

} // namespace vkqc::interp::sleef
