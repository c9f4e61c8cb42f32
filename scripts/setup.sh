#!/usr/bin/env bash
# Installs everything vkqc needs to build and test, from Debian 12 packages only.
# Idempotent: packages already present are not touched, and nothing runs when all are.
set -euo pipefail

PACKAGES=(
  # build
  cmake ninja-build g++ pkg-config git unzip
  # libraries (DESIGN.md: LLVM Support, flatbuffers, nlohmann-json, fmt, minizip, Catch2)
  llvm-14-dev llvm-14-tools libflatbuffers-dev flatbuffers-compiler nlohmann-json3-dev
  libfmt-dev libminizip-dev zlib1g-dev catch2 libssl-dev libsleef-dev
  # shaders and Vulkan (SPIR-V compiled at build time; lavapipe runs it in tests)
  libshaderc-dev glslang-dev spirv-tools libvulkan-dev mesa-vulkan-drivers vulkan-tools
  # tests and tooling: lit/FileCheck come with llvm-14-tools; numpy for .npy fixtures;
  # clang's runtimes for the sanitizer and fuzzer builds
  python3 python3-numpy clang-14 libclang-rt-14-dev
  # layout check (tests/style/check_format.sh)
  clang-format-14
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
