#include "sim/chunk_encoding.hpp"

#include <stdexcept>
#include <zlib.h>

namespace stackrace {

std::vector<unsigned char> shuffle_bytes(const void* data, std::size_t bytes, std::size_t element_size) {
  const auto* in = static_cast<const unsigned char*>(data);
  std::vector<unsigned char> out(bytes);
  const std::size_t elements = element_size > 1 ? bytes / element_size : 0;
  for (std::size_t j = 0; j < element_size && elements > 0; ++j)
    for (std::size_t i = 0; i < elements; ++i) out[j * elements + i] = in[i * element_size + j];
  for (std::size_t b = elements * element_size; b < bytes; ++b) out[b] = in[b];  // no shuffle, or leftovers
  return out;
}

std::vector<unsigned char> encode_chunk(const void* data, std::size_t bytes, std::size_t element_size) {
  const std::vector<unsigned char> shuffled = shuffle_bytes(data, bytes, element_size);
  uLongf size = compressBound(static_cast<uLong>(bytes));
  std::vector<unsigned char> out(size);
  if (compress2(out.data(), &size, shuffled.data(), static_cast<uLong>(bytes), deflate_level) != Z_OK)
    throw std::runtime_error("compressing a result chunk failed");
  out.resize(size);
  return out;
}

}  // namespace stackrace
