# The project's native kernels for the TF.js WASM backend (convolutions, matmul, top-k, batch norm) on OpenBLAS,
# which uses the CPU's AVX2/AVX-512 (WASM SIMD is 128-bit only). Built by scripts/build-native.sh,
# loaded by lib/tf/kernels/native.ts.
{
  "targets": [{
    "target_name": "la_kernels",
    "sources": ["kernels.cc"],
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
    "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS", "NAPI_VERSION=8"],
    "cflags_cc": ["-O3", "-std=c++17"],
    "libraries": ["-lopenblas"]
  }]
}
