// The project's native kernels for the TF.js WASM backend, on Float32Array views that the caller takes of
// the WASM heap (no copies): NHWC conv2d forward, filter gradient and input gradient as im2col + sgemm
// (OpenBLAS), batched matmul (sgemm), top-k, and training-mode batch norm fused with ReLU (forward and
// gradient). Conv: dilation 1 only; the caller checks.
// dims (Int32Array): n, h, w, c, oc, fh, fw, sh, sw, padTop, padLeft, oh, ow.
// The batch is processed in chunks so that the patch matrix stays a few MB (cache-sized sgemm panels,
// bounded memory). OpenBLAS runs on one thread: training parallelism comes from worker threads.
#include <napi.h>
#include <cblas.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <numeric>
#include <vector>

namespace {

struct Dims {
  int n, h, w, c, oc, fh, fw, sh, sw, pt, pl, oh, ow;
  long k() const { return (long)fh * fw * c; }
  long pixels() const { return (long)oh * ow; }
};

constexpr long kChunkFloats = 1 << 20;  // 4 MB of patch matrix per chunk

thread_local std::vector<float> scratch;

float* buffer(long size) {
  if ((long)scratch.size() < size) scratch.resize(size);
  return scratch.data();
}

int chunkImages(const Dims& d) {
  return (int)std::max(1L, std::min((long)d.n, kChunkFloats / std::max(1L, d.pixels() * d.k())));
}

// cols[(b*OH + oh)*OW + ow, (kh*FW + kw)*C + c] = x[b0 + b, oh*sh + kh - pt, ow*sw + kw - pl, c], 0 outside.
void im2col(const Dims& d, const float* x, int b0, int nb, float* cols) {
  const long k = d.k();
  for (int b = 0; b < nb; b++) {
    const float* img = x + (long)(b0 + b) * d.h * d.w * d.c;
    for (int oh = 0; oh < d.oh; oh++) {
      for (int ow = 0; ow < d.ow; ow++) {
        float* row = cols + ((long)(b * d.oh + oh) * d.ow + ow) * k;
        for (int kh = 0; kh < d.fh; kh++) {
          const int ih = oh * d.sh + kh - d.pt;
          for (int kw = 0; kw < d.fw; kw++) {
            const int iw = ow * d.sw + kw - d.pl;
            float* dst = row + (long)(kh * d.fw + kw) * d.c;
            if (ih < 0 || ih >= d.h || iw < 0 || iw >= d.w) std::memset(dst, 0, sizeof(float) * d.c);
            else std::memcpy(dst, img + ((long)ih * d.w + iw) * d.c, sizeof(float) * d.c);
          }
        }
      }
    }
  }
}

// dx[b0 + b, ih, iw, c] += dcols[...] for every tap that read it (the adjoint of im2col).
void col2im(const Dims& d, const float* dcols, int b0, int nb, float* dx) {
  const long k = d.k();
  for (int b = 0; b < nb; b++) {
    float* img = dx + (long)(b0 + b) * d.h * d.w * d.c;
    for (int oh = 0; oh < d.oh; oh++) {
      for (int ow = 0; ow < d.ow; ow++) {
        const float* row = dcols + ((long)(b * d.oh + oh) * d.ow + ow) * k;
        for (int kh = 0; kh < d.fh; kh++) {
          const int ih = oh * d.sh + kh - d.pt;
          if (ih < 0 || ih >= d.h) continue;
          for (int kw = 0; kw < d.fw; kw++) {
            const int iw = ow * d.sw + kw - d.pl;
            if (iw < 0 || iw >= d.w) continue;
            const float* src = row + (long)(kh * d.fw + kw) * d.c;
            float* dst = img + ((long)ih * d.w + iw) * d.c;
            for (int c = 0; c < d.c; c++) dst[c] += src[c];
          }
        }
      }
    }
  }
}

bool directPatches(const Dims& d) {
  return d.fh == 1 && d.fw == 1 && d.sh == 1 && d.sw == 1 && d.pt == 0 && d.pl == 0;
}

float* floats(const Napi::Value& v, size_t* length = nullptr) {
  Napi::Float32Array a = v.As<Napi::Float32Array>();
  if (length) *length = a.ElementLength();
  return a.Data();
}

bool readDims(const Napi::CallbackInfo& info, int index, Dims* d) {
  if (info.Length() <= (size_t)index || !info[index].IsTypedArray()) return false;
  Napi::Int32Array a = info[index].As<Napi::Int32Array>();
  if (a.ElementLength() != 13) return false;
  std::memcpy(d, a.Data(), sizeof(Dims));
  return true;
}

Napi::Value fail(const Napi::CallbackInfo& info, const char* what) {
  Napi::TypeError::New(info.Env(), what).ThrowAsJavaScriptException();
  return info.Env().Undefined();
}

// Calls f(b0, rows, cols) for each chunk of images from b0: cols is the chunk's patch matrix [rows, K].
template <typename F>
void forEachPatchChunk(const Dims& d, const float* x, F f) {
  const int chunk = chunkImages(d);
  for (int b0 = 0; b0 < d.n; b0 += chunk) {
    const int nb = std::min(chunk, d.n - b0);
    const long rows = nb * d.pixels();
    const float* cols = x + (long)b0 * d.h * d.w * d.c;
    if (!directPatches(d)) {
      float* buf = buffer(rows * d.k());
      im2col(d, x, b0, nb, buf);
      cols = buf;
    }
    f(b0, rows, cols);
  }
}

// conv2d(x, filter, y, dims[, bias, relu]): y = relu?(conv(x, filter) + bias?)
Napi::Value Conv2D(const Napi::CallbackInfo& info) {
  Dims d;
  if (info.Length() < 4 || !readDims(info, 3, &d)) return fail(info, "conv2d(x, filter, y, dims[, bias, relu])");
  const float* x = floats(info[0]);
  const float* w = floats(info[1]);
  float* y = floats(info[2]);
  const float* bias = info.Length() > 4 && info[4].IsTypedArray() ? floats(info[4]) : nullptr;
  const bool relu = info.Length() > 5 && info[5].ToBoolean().Value();
  const long k = d.k();
  forEachPatchChunk(d, x, [&](int b0, long rows, const float* cols) {
    float* out = y + (long)b0 * d.pixels() * d.oc;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, d.oc, k, 1.f, cols, k, w, d.oc, 0.f, out, d.oc);
    if (!bias && !relu) return;
    for (long r = 0; r < rows; r++) {
      float* o = out + r * d.oc;
      if (bias) for (int c = 0; c < d.oc; c++) o[c] += bias[c];
      if (relu) for (int c = 0; c < d.oc; c++) o[c] = o[c] > 0.f ? o[c] : 0.f;
    }
  });
  return info.Env().Undefined();
}

// backpropFilter(x, dy, dw, dims): dw[K, OC] = sum over chunks of cols^T . dy
Napi::Value BackpropFilter(const Napi::CallbackInfo& info) {
  Dims d;
  if (info.Length() < 4 || !readDims(info, 3, &d)) return fail(info, "backpropFilter(x, dy, dw, dims)");
  const float* x = floats(info[0]);
  const float* dy = floats(info[1]);
  float* dw = floats(info[2]);
  const long k = d.k();
  forEachPatchChunk(d, x, [&](int b0, long rows, const float* cols) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, d.oc, rows, 1.f, cols, k, dy + (long)b0 * d.pixels() * d.oc, d.oc,
                b0 == 0 ? 0.f : 1.f, dw, d.oc);
  });
  return info.Env().Undefined();
}

// backpropInput(dy, filter, dx, dims): dcols = dy . filter^T, scattered back onto dx by col2im
Napi::Value BackpropInput(const Napi::CallbackInfo& info) {
  Dims d;
  if (info.Length() < 4 || !readDims(info, 3, &d)) return fail(info, "backpropInput(dy, filter, dx, dims)");
  const float* dy = floats(info[0]);
  const float* w = floats(info[1]);
  float* dx = floats(info[2]);
  const long k = d.k();
  const int chunk = chunkImages(d);
  if (directPatches(d)) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (long)d.n * d.pixels(), k, d.oc, 1.f, dy, d.oc, w, d.oc, 0.f, dx, k);
    return info.Env().Undefined();
  }
  std::memset(dx, 0, sizeof(float) * (size_t)d.n * d.h * d.w * d.c);
  for (int b0 = 0; b0 < d.n; b0 += chunk) {
    const int nb = std::min(chunk, d.n - b0);
    const long rows = nb * d.pixels();
    float* dcols = buffer(rows * k);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, k, d.oc, 1.f, dy + (long)b0 * d.pixels() * d.oc, d.oc, w, d.oc, 0.f, dcols, k);
    col2im(d, dcols, b0, nb, dx);
  }
  return info.Env().Undefined();
}

// matmul(a, b, out, [batchA, batchB, m, n, k, transposeA, transposeB]): out[i] = op(a[i or 0]) . op(b[i or 0])
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  if (info.Length() < 4 || !info[3].IsTypedArray()) return fail(info, "matmul(a, b, out, dims)");
  Napi::Int32Array dims = info[3].As<Napi::Int32Array>();
  if (dims.ElementLength() != 7) return fail(info, "matmul: dims has 7 values");
  const int batchA = dims[0], batchB = dims[1], m = dims[2], n = dims[3], k = dims[4];
  const bool ta = dims[5] != 0, tb = dims[6] != 0;
  const float* a = floats(info[0]);
  const float* b = floats(info[1]);
  float* out = floats(info[2]);
  const int batch = std::max(batchA, batchB);
  for (int i = 0; i < batch; i++) {
    const float* ai = a + (batchA == 1 ? 0 : (long)i * m * k);
    const float* bi = b + (batchB == 1 ? 0 : (long)i * k * n);
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.f, ai, ta ? m : k, bi,
                tb ? k : n, 0.f, out + (long)i * m * n, n);
  }
  return info.Env().Undefined();
}

// Sort key of entry i of a row: ascending keys = descending values, ties to the lower index (TF's
// order). The float's bits are made monotonic (negatives flipped) and inverted, the index appended, so
// the selection compares plain integers instead of values looked up through indices.
inline uint64_t topKey(float v, int32_t i) {
  if (v == 0) v = 0;  // -0 ties with +0, as in a float comparison
  uint32_t u;
  std::memcpy(&u, &v, 4);
  u = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
  return ((uint64_t)~u << 32) | (uint32_t)i;
}

// The keys of the k largest entries of row[0..n) into keys[0..k) (unordered).
// Every 16th value gives a threshold a little below the k-th largest; only values at or above it are
// candidates, so the selection runs on ~k entries instead of n. The slack is 4 standard deviations of
// the sample's count above the k-th value (+16), so the fallback to all n (fewer than k candidates)
// almost never runs.
void selectTop(const float* row, int n, int k, std::vector<uint64_t>& keys, std::vector<float>& sample) {
  keys.clear();
  const int stride = 16;
  const int m = n / stride;
  const double expected = (double)k * m / n;
  const int rank = (int)(expected + 4 * std::sqrt(expected) + 16);  // sample rank of the threshold
  if (rank < m) {
    sample.resize(m);
    for (int i = 0; i < m; i++) sample[i] = row[i * stride];
    std::nth_element(sample.begin(), sample.begin() + rank, sample.end(), std::greater<float>());
    const float threshold = sample[rank];
    for (int i = 0; i < n; i++) if (row[i] >= threshold) keys.push_back(topKey(row[i], i));
  }
  if ((int)keys.size() < k) {
    keys.resize(n);
    for (int i = 0; i < n; i++) keys[i] = topKey(row[i], i);
  }
  if (k < (int)keys.size()) std::nth_element(keys.begin(), keys.begin() + k, keys.end());
}

// topk(x, values, indices, rows, n, k, sorted): per row the k largest values, ties to the lower index
// (TF's order); sorted descending when asked, else in an unspecified but deterministic order.
Napi::Value TopK(const Napi::CallbackInfo& info) {
  if (info.Length() < 7) return fail(info, "topk(x, values, indices, rows, n, k, sorted)");
  const float* x = floats(info[0]);
  float* values = floats(info[1]);
  int32_t* indices = info[2].As<Napi::Int32Array>().Data();
  const int rows = info[3].As<Napi::Number>().Int32Value();
  const int n = info[4].As<Napi::Number>().Int32Value();
  const int k = info[5].As<Napi::Number>().Int32Value();
  const bool sorted = info[6].ToBoolean().Value();
  std::vector<uint64_t> keys;
  std::vector<float> sample;
  for (int r = 0; r < rows; r++) {
    const float* row = x + (long)r * n;
    selectTop(row, n, k, keys, sample);
    if (sorted) std::sort(keys.begin(), keys.begin() + k);
    for (int j = 0; j < k; j++) {
      const int32_t i = (int32_t)(keys[j] & 0xffffffffu);
      indices[(long)r * k + j] = i;
      values[(long)r * k + j] = row[i];
    }
  }
  return info.Env().Undefined();
}

// nearestCentroid(x, centroids, labels, n, d, m): labels[i] = argmax_c x_i·c - |c|²/2 (= argmin_c |x_i - c|²),
// ties to the lower index; x [n, d] and centroids [m, d] row-major. One sgemm per chunk of rows, the
// centroids transposed inside it, and the scores never leave this function.
Napi::Value NearestCentroid(const Napi::CallbackInfo& info) {
  if (info.Length() < 6) return fail(info, "nearestCentroid(x, centroids, labels, n, d, m)");
  const float* x = floats(info[0]);
  const float* c = floats(info[1]);
  int32_t* labels = info[2].As<Napi::Int32Array>().Data();
  const int n = info[3].As<Napi::Number>().Int32Value();
  const int d = info[4].As<Napi::Number>().Int32Value();
  const int m = info[5].As<Napi::Number>().Int32Value();
  std::vector<float> half(m);
  for (int k = 0; k < m; k++) {
    double s = 0;
    for (int j = 0; j < d; j++) s += (double)c[(long)k * d + j] * c[(long)k * d + j];
    half[k] = (float)(s / 2);
  }
  const int chunk = 1024;
  std::vector<float> scores((long)chunk * m);
  for (int start = 0; start < n; start += chunk) {
    const int rows = std::min(chunk, n - start);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, m, d, 1.f, x + (long)start * d, d, c, d, 0.f, scores.data(), m);
    for (int r = 0; r < rows; r++) {
      const float* s = scores.data() + (long)r * m;
      int best = 0;
      float top = s[0] - half[0];
      for (int k = 1; k < m; k++) {
        const float v = s[k] - half[k];
        if (v > top) top = v, best = k;
      }
      labels[start + r] = best;
    }
  }
  return info.Env().Undefined();
}

// Batch norm over the rows of [m, c] arrays: per-channel sums in float over blocks of kBlockRows rows
// (vectorised across channels), added into doubles between blocks so the rounding does not grow with m.
constexpr long kBlockRows = 256;

// mean[k] = Σ x / m; variance[k] = Σ (x - mean)² / m (two passes: no cancellation).
void channelMoments(const float* __restrict x, long m, int c, float* __restrict mean, float* __restrict variance) {
  std::vector<double> total(c, 0.0);
  std::vector<float> part(c);
  const auto sumRows = [&](auto term) {
    std::fill(total.begin(), total.end(), 0.0);
    for (long r0 = 0; r0 < m; r0 += kBlockRows) {
      std::fill(part.begin(), part.end(), 0.0f);
      float* __restrict p = part.data();
      for (long r = r0; r < std::min(m, r0 + kBlockRows); r++)
        for (int k = 0; k < c; k++) p[k] += term(x[r * c + k], k);
      for (int k = 0; k < c; k++) total[k] += p[k];
    }
  };
  sumRows([](float v, int) { return v; });
  for (int k = 0; k < c; k++) mean[k] = (float)(total[k] / m);
  sumRows([mean](float v, int k) { const float d = v - mean[k]; return d * d; });
  for (int k = 0; k < c; k++) variance[k] = (float)(total[k] / m);
}

// bnReluForward(x, gamma, beta, y, mean, variance, m, c, eps): y = relu((x - mean) * gamma / sqrt(variance
// + eps) + beta) over the rows of x [m, c], with the batch mean and biased variance [c] as outputs.
Napi::Value BnReluForward(const Napi::CallbackInfo& info) {
  if (info.Length() < 9) return fail(info, "bnReluForward(x, gamma, beta, y, mean, variance, m, c, eps)");
  const float* __restrict x = floats(info[0]);
  const float* gamma = floats(info[1]);
  const float* beta = floats(info[2]);
  float* __restrict y = floats(info[3]);
  float* mean = floats(info[4]);
  float* variance = floats(info[5]);
  const long m = info[6].As<Napi::Number>().Int64Value();
  const int c = info[7].As<Napi::Number>().Int32Value();
  const double eps = info[8].As<Napi::Number>().DoubleValue();
  channelMoments(x, m, c, mean, variance);
  std::vector<float> a(c), mu(mean, mean + c), b(beta, beta + c);
  for (int k = 0; k < c; k++) a[k] = (float)(gamma[k] / std::sqrt(variance[k] + eps));
  const float* __restrict pa = a.data();
  const float* __restrict pm = mu.data();
  const float* __restrict pb = b.data();
  for (long r = 0; r < m; r++)
    for (int k = 0; k < c; k++) y[r * c + k] = std::max(0.0f, (x[r * c + k] - pm[k]) * pa[k] + pb[k]);
  return info.Env().Undefined();
}

// bnReluBackward(dy, x, y, gamma, mean, variance, dx, dgamma, dbeta, m, c, eps): the gradient of
// bnReluForward (Ioffe & Szegedy 2015, Alg. 1 backwards), g = dy * [y > 0], x̂ = (x - mean) * r:
// dbeta = Σ g, dgamma = Σ g x̂, dx = gamma r (g - dbeta/m - x̂ dgamma/m).
Napi::Value BnReluBackward(const Napi::CallbackInfo& info) {
  if (info.Length() < 12) return fail(info, "bnReluBackward(dy, x, y, gamma, mean, variance, dx, dgamma, dbeta, m, c, eps)");
  const float* __restrict dy = floats(info[0]);
  const float* __restrict x = floats(info[1]);
  const float* __restrict y = floats(info[2]);
  const float* gamma = floats(info[3]);
  const float* mean = floats(info[4]);
  const float* variance = floats(info[5]);
  float* __restrict dx = floats(info[6]);
  float* dgamma = floats(info[7]);
  float* dbeta = floats(info[8]);
  const long m = info[9].As<Napi::Number>().Int64Value();
  const int c = info[10].As<Napi::Number>().Int32Value();
  const double eps = info[11].As<Napi::Number>().DoubleValue();
  std::vector<float> r(c), mu(mean, mean + c), partB(c), partG(c);
  for (int k = 0; k < c; k++) r[k] = (float)(1.0 / std::sqrt(variance[k] + eps));
  const float* __restrict pr = r.data();
  const float* __restrict pm = mu.data();
  std::vector<double> sb(c, 0.0), sg(c, 0.0);
  for (long i0 = 0; i0 < m; i0 += kBlockRows) {
    std::fill(partB.begin(), partB.end(), 0.0f);
    std::fill(partG.begin(), partG.end(), 0.0f);
    float* __restrict pb = partB.data();
    float* __restrict pg = partG.data();
    for (long i = i0; i < std::min(m, i0 + kBlockRows); i++)
      for (int k = 0; k < c; k++) {
        const long j = i * c + k;
        const float d = dy[j];  // loaded unconditionally, so the select below vectorises
        const float g = y[j] > 0.0f ? d : 0.0f;
        pb[k] += g;
        pg[k] += g * ((x[j] - pm[k]) * pr[k]);
      }
    for (int k = 0; k < c; k++) {
      sb[k] += pb[k];
      sg[k] += pg[k];
    }
  }
  std::vector<float> bm(c), gm(c), scale(c);
  for (int k = 0; k < c; k++) {
    dbeta[k] = (float)sb[k];
    dgamma[k] = (float)sg[k];
    bm[k] = (float)(sb[k] / m);
    gm[k] = (float)(sg[k] / m);
    scale[k] = gamma[k] * r[k];
  }
  const float* __restrict pbm = bm.data();
  const float* __restrict pgm = gm.data();
  const float* __restrict ps = scale.data();
  for (long i = 0; i < m; i++)
    for (int k = 0; k < c; k++) {
      const long j = i * c + k;
      const float d = dy[j];
      const float g = y[j] > 0.0f ? d : 0.0f;
      dx[j] = ps[k] * (g - pbm[k] - (x[j] - pm[k]) * pr[k] * pgm[k]);
    }
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  openblas_set_num_threads(1);
  exports.Set("conv2d", Napi::Function::New(env, Conv2D));
  exports.Set("backpropFilter", Napi::Function::New(env, BackpropFilter));
  exports.Set("backpropInput", Napi::Function::New(env, BackpropInput));
  exports.Set("matmul", Napi::Function::New(env, MatMul));
  exports.Set("topk", Napi::Function::New(env, TopK));
  exports.Set("nearestCentroid", Napi::Function::New(env, NearestCentroid));
  exports.Set("bnReluForward", Napi::Function::New(env, BnReluForward));
  exports.Set("bnReluBackward", Napi::Function::New(env, BnReluBackward));
  return exports;
}

}  // namespace

NODE_API_MODULE(la_kernels, Init)
