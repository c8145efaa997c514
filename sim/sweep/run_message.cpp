#include "sim/sweep/run_message.hpp"

#include <cstring>
#include <stdexcept>

namespace stackrace {
namespace {

class Writer {
 public:
  template <class T>
  void value(const T& x) {
    const char* p = reinterpret_cast<const char*>(&x);
    bytes.insert(bytes.end(), p, p + sizeof(T));
  }
  template <class T>
  void array(const std::vector<T>& v) {
    value<std::uint64_t>(v.size());
    const char* p = reinterpret_cast<const char*>(v.data());
    bytes.insert(bytes.end(), p, p + v.size() * sizeof(T));
  }
  std::vector<char> bytes;
};

class Reader {
 public:
  explicit Reader(const std::vector<char>& b) : bytes(b) {}
  template <class T>
  T value() {
    T x;
    take(&x, sizeof(T));
    return x;
  }
  template <class T>
  void array(std::vector<T>& v) {
    v.resize(value<std::uint64_t>());
    take(v.data(), v.size() * sizeof(T));
  }

 private:
  void take(void* out, std::size_t n) {
    if (at + n > bytes.size()) throw std::runtime_error("truncated run message");
    if (n > 0) std::memcpy(out, bytes.data() + at, n);  // an empty vector's data() may be null
    at += n;
  }
  const std::vector<char>& bytes;
  std::size_t at = 0;
};

}  // namespace

std::vector<char> pack_run(const sweep_detail::RunOutput& out) {
  Writer w;
  w.value<std::int32_t>(out.run);
  w.value<std::int32_t>(out.result ? 1 : 0);
  if (!out.result) {
    w.array(std::vector<char>(out.error.begin(), out.error.end()));
    return std::move(w.bytes);
  }
  const EncodedRun& r = *out.result;
  w.value<std::uint64_t>(r.seed);
  w.array(r.agents);
  w.array(r.weight);
  w.array(r.firm_agents_by_size);
  w.value<std::uint64_t>(r.chunks.size());
  for (const std::vector<unsigned char>& chunk : r.chunks) w.array(chunk);
  return std::move(w.bytes);
}

sweep_detail::RunOutput unpack_run(const std::vector<char>& bytes) {
  Reader r(bytes);
  sweep_detail::RunOutput out;
  out.run = r.value<std::int32_t>();
  if (r.value<std::int32_t>() == 0) {
    std::vector<char> text;
    r.array(text);
    out.error.assign(text.begin(), text.end());
    return out;
  }
  EncodedRun result;
  result.seed = r.value<std::uint64_t>();
  r.array(result.agents);
  r.array(result.weight);
  r.array(result.firm_agents_by_size);
  result.chunks.resize(r.value<std::uint64_t>());
  for (std::vector<unsigned char>& chunk : result.chunks) r.array(chunk);
  out.result = std::move(result);
  return out;
}

}  // namespace stackrace
