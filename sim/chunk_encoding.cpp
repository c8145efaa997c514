#include "sim/chunk_encoding.hpp"

#include <memory>
#include <stdexcept>

#include <libdeflate.h>

namespace stackrace {
namespace {

struct FreeCompressor {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};

// One compressor per thread, made once: it holds the match finder's tables, which
// cost more to set up than a small run's chunk takes to compress.
libdeflate_compressor& thread_compressor() {
  thread_local std::unique_ptr<libdeflate_compressor, FreeCompressor> compressor(
      libdeflate_alloc_compressor(deflate_level));
  if (!compressor) throw std::runtime_error("allocating a deflate compressor failed");
  return *compressor;
}

// One pass over the elements, each read once and its bytes sent to their planes. With
// the size known at compile time (Size > 0; else `size`) the inner loop unrolls: a
// strided byte loop per plane was several times slower, and this runs over every run.
template <std::size_t Size>
void shuffle_elements(const unsigned char* in, std::size_t elements, std::size_t size, unsigned char* out) {
  const std::size_t n = Size > 0 ? Size : size;
  for (std::size_t i = 0; i < elements; ++i)
    for (std::size_t j = 0; j < n; ++j) out[j * elements + i] = in[i * n + j];
}

}  // namespace

std::vector<unsigned char> shuffle_bytes(const void* data, std::size_t bytes, std::size_t element_size) {
  const auto* in = static_cast<const unsigned char*>(data);
  std::vector<unsigned char> out(bytes);
  const std::size_t elements = element_size > 1 ? bytes / element_size : 0;
  if (element_size == 4) shuffle_elements<4>(in, elements, 4, out.data());
  else if (element_size == 8) shuffle_elements<8>(in, elements, 8, out.data());
  else shuffle_elements<0>(in, elements, element_size, out.data());
  for (std::size_t b = elements * element_size; b < bytes; ++b) out[b] = in[b];  // no shuffle, or leftovers
  return out;
}

std::vector<unsigned char> encode_chunk(const void* data, std::size_t bytes, std::size_t element_size,
                                        Shuffle shuffle) {
  std::vector<unsigned char> shuffled;
  if (shuffle == Shuffle::yes) shuffled = shuffle_bytes(data, bytes, element_size);
  const void* in = shuffle == Shuffle::yes ? shuffled.data() : data;
  libdeflate_compressor& compressor = thread_compressor();
  std::vector<unsigned char> out(libdeflate_zlib_compress_bound(&compressor, bytes));
  const std::size_t size = libdeflate_zlib_compress(&compressor, in, bytes, out.data(), out.size());
  if (size == 0) throw std::runtime_error("compressing a result chunk failed");
  out.resize(size);
  return out;
}

}  // namespace stackrace
