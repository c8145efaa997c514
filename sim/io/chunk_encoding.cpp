#include "sim/io/chunk_encoding.hpp"

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

// One pass over the elements, each read once and its bytes sent to their planes (a loop
// per plane would pass over the data once per byte). With the size known at compile
// time (Size > 0; else `size`) the inner loop unrolls.
template <std::size_t Size>
void shuffle_elements(const unsigned char* in, std::size_t elements, std::size_t size, unsigned char* out) {
  const std::size_t n = Size > 0 ? Size : size;
  for (std::size_t i = 0; i < elements; ++i)
    for (std::size_t j = 0; j < n; ++j) out[j * elements + i] = in[i * n + j];
}

void shuffle_into(const void* data, std::size_t bytes, std::size_t element_size, unsigned char* out) {
  const auto* in = static_cast<const unsigned char*>(data);
  const std::size_t elements = element_size > 1 ? bytes / element_size : 0;
  if (element_size == 4) shuffle_elements<4>(in, elements, 4, out);
  else if (element_size == 8) shuffle_elements<8>(in, elements, 8, out);
  else shuffle_elements<0>(in, elements, element_size, out);
  for (std::size_t b = elements * element_size; b < bytes; ++b) out[b] = in[b];  // no shuffle, or leftovers
}

// Working memory of this thread's encodings, kept between them and grown (never
// shrunk) to at least `bytes`. A fresh zeroed buffer of the compressor's bound for every
// chunk cost more than the shuffle: the zeroing, and the page faults of memory the
// allocator had just handed back to the system.
unsigned char* scratch(std::vector<unsigned char>& buffer, std::size_t bytes) {
  if (buffer.size() < bytes) buffer.resize(bytes);
  return buffer.data();
}

}  // namespace

std::vector<unsigned char> shuffle_bytes(const void* data, std::size_t bytes, std::size_t element_size) {
  std::vector<unsigned char> out(bytes);
  shuffle_into(data, bytes, element_size, out.data());
  return out;
}

std::vector<unsigned char> encode_chunk(const void* data, std::size_t bytes, std::size_t element_size,
                                        Shuffle shuffle) {
  thread_local std::vector<unsigned char> shuffled, compressed;
  const void* in = data;
  if (shuffle == Shuffle::yes) {
    unsigned char* const out = scratch(shuffled, bytes);
    shuffle_into(data, bytes, element_size, out);
    in = out;
  }
  libdeflate_compressor& compressor = thread_compressor();
  const std::size_t bound = libdeflate_zlib_compress_bound(&compressor, bytes);
  unsigned char* const out = scratch(compressed, bound);
  const std::size_t size = libdeflate_zlib_compress(&compressor, in, bytes, out, bound);
  if (size == 0) throw std::runtime_error("compressing a result chunk failed");
  return {out, out + size};
}

}  // namespace stackrace
