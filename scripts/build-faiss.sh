#!/usr/bin/env bash
# Builds the faiss-node addon against the system libfaiss (see native/faiss/binding.gyp).
# Skips the build when the addon exists and was built from the same sources.
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=node_modules/faiss-node
[ -d "$pkg" ] || { echo "faiss-node is not installed: run npm ci first" >&2; exit 1; }
[ -f /usr/lib/x86_64-linux-gnu/libfaiss.a ] || { echo "libfaiss-dev is missing: apt-get install -y libfaiss-dev libopenblas-dev" >&2; exit 1; }
stamp=$(cat native/faiss/binding.gyp native/faiss/faiss-compat.h "$pkg/src/faiss.cc" "$pkg/package.json" | sha256sum | cut -c1-16)
if [ -f "$pkg/build/Release/faiss-node.node" ] && [ "$(cat "$pkg/build/.la-stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "faiss-node addon: up to date"; exit 0
fi
cp native/faiss/binding.gyp native/faiss/faiss-compat.h "$pkg/"
nodedir=()
[ -f /usr/include/node/node_api.h ] && nodedir=(--nodedir=/usr)
log=$(mktemp)
(cd "$pkg" && ../.bin/node-gyp rebuild --release "${nodedir[@]}" -j 2 >"$log" 2>&1) || { cat "$log" >&2; exit 1; }
echo "$stamp" > "$pkg/build/.la-stamp"
node -e "const f=require('faiss-node'); const i=new f.IndexFlatIP(2); i.add([1,0]); if (i.ntotal()!==1) process.exit(1)"
echo "faiss-node addon: built"
