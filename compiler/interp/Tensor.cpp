// Placeholder until the interpreter lands; replaced by the full implementation.
#include "compiler/interp/Tensor.h"
