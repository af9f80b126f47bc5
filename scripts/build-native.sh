#!/usr/bin/env bash
# Builds the native addons offline, each skipped when it exists and was built from the same sources:
#  - faiss-node's own src/faiss.cc against Debian's libfaiss (native/faiss/binding.gyp): the package's
#    install script would fetch a prebuild from GitHub, then git clone faiss;
#  - the project's TF.js kernels on OpenBLAS (native/kernels).
# node-gyp uses Debian's node headers when they are installed (it cannot download them here).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f /usr/lib/x86_64-linux-gnu/libfaiss.a ] || { echo "libfaiss-dev is missing: apt-get install -y libfaiss-dev libopenblas-dev" >&2; exit 1; }
nodegyp=$PWD/node_modules/.bin/node-gyp
[ -x "$nodegyp" ] || { echo "node-gyp is not installed: run npm ci first" >&2; exit 1; }
nodedir=()
[ -f /usr/include/node/node_api.h ] && nodedir=(--nodedir=/usr)

# build NAME DIR ADDON SOURCES...: node-gyp in DIR unless DIR/build/.la-stamp matches the sources' hash
build() {
  local name=$1 dir=$2 addon=$3; shift 3
  local stamp log
  stamp=$(cat "$@" | sha256sum | cut -c1-16)
  if [ -f "$dir/build/Release/$addon" ] && [ "$(cat "$dir/build/.la-stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "$name addon: up to date"; return
  fi
  log=$(mktemp)
  (cd "$dir" && "$nodegyp" rebuild --release "${nodedir[@]}" -j 2 >"$log" 2>&1) || { cat "$log" >&2; exit 1; }
  echo "$stamp" > "$dir/build/.la-stamp"
  echo "$name addon: built"
}

faiss=node_modules/faiss-node
[ -d "$faiss" ] || { echo "faiss-node is not installed: run npm ci first" >&2; exit 1; }
cp native/faiss/binding.gyp native/faiss/faiss-compat.h "$faiss/"
build faiss-node "$faiss" faiss-node.node native/faiss/binding.gyp native/faiss/faiss-compat.h "$faiss/src/faiss.cc" "$faiss/package.json"
node -e "const f=require('faiss-node'); const i=new f.IndexFlatIP(2); i.add([1,0]); if (i.ntotal()!==1) process.exit(1)"

build kernels native/kernels la_kernels.node native/kernels/binding.gyp native/kernels/kernels.cc
node -e "const m={exports:{}}; process.dlopen(m, 'native/kernels/build/Release/la_kernels.node'); if (typeof m.exports.conv2d !== 'function') process.exit(1)"
