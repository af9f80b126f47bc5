// faiss-node 0.5.1 expects faiss 1.7.4's namespace-level idx_t; Debian 12 ships 1.7.3,
// where it only exists as faiss::Index::idx_t.
#pragma once
#include <faiss/Index.h>
namespace faiss { using idx_t = Index::idx_t; }
