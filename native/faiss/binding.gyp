# Builds faiss-node's own src/faiss.cc against Debian's static libfaiss (1.7.3) and OpenBLAS,
# instead of the package's install script (prebuild from GitHub, then a git clone: both offline failures).
{
  "targets": [{
    "target_name": "faiss-node",
    "sources": ["src/faiss.cc"],
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
    "defines": ["NAPI_CPP_EXCEPTIONS", "NAPI_VERSION=8"],
    "cflags!": ["-fno-exceptions"],
    # RTTI on: libfaiss dynamic_casts the index objects the addon creates (write_index crashed without it).
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
    "cflags_cc": ["-fopenmp", "-fexceptions", "-frtti", "-std=c++17", "-O2", "-include", "<(module_root_dir)/faiss-compat.h"],
    "libraries": ["/usr/lib/x86_64-linux-gnu/libfaiss.a", "-lopenblas", "-lgomp"]
  }]
}
