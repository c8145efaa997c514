#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <vector>

#include <libdeflate.h>

#include "sim/io/chunk_encoding.hpp"
#include "sim/io/hdf5.hpp"

using namespace stackrace;

namespace {

std::string scratch_file(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("stackrace_" + name + ".h5")).string();
}

// Shares as a run leaves them: fractions of a count, NaN where a country has no agents.
std::vector<float> some_shares(std::size_t n) {
  std::vector<float> v(n);
  // Fractions of 200 agents that drift, as a country's counts do from month to month.
  for (std::size_t i = 0; i < n; ++i)
    v[i] = i % 7 == 3 ? NAN : float(double(100 + int(80 * std::sin(0.01 * double(i)))) / 200.0);
  return v;
}

// The bytes a zlib stream holds (libdeflate's decoder: it rejects a stream with a bad
// checksum or of any other length).
std::vector<unsigned char> inflate_zlib(const std::vector<unsigned char>& stream, std::size_t bytes) {
  std::vector<unsigned char> out(bytes);
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  const libdeflate_result result = libdeflate_zlib_decompress(d, stream.data(), stream.size(), out.data(), bytes, nullptr);
  libdeflate_free_decompressor(d);
  REQUIRE(result == LIBDEFLATE_SUCCESS);
  return out;
}

}  // namespace

TEST_CASE("shuffling puts byte j of every element together", "[chunk_encoding]") {
  const std::vector<unsigned char> in{1, 2, 3, 4, 5, 6, 7, 8, 9};  // two 4-byte elements and a leftover byte
  CHECK(shuffle_bytes(in.data(), in.size(), 4) == std::vector<unsigned char>{1, 5, 2, 6, 3, 7, 4, 8, 9});
  CHECK(shuffle_bytes(in.data(), in.size(), 1) == in);
}

TEST_CASE("an encoded chunk is what HDF5's shuffle and deflate filters decode to the values", "[chunk_encoding]") {
  const std::string path = scratch_file("chunk_encoding");
  const std::vector<float> shares = some_shares(2 * 5000);
  const std::size_t bytes = shares.size() * sizeof(float);
  for (Shuffle shuffle : {Shuffle::yes, Shuffle::no}) {
    INFO("shuffled: " << (shuffle == Shuffle::yes));
    const std::vector<unsigned char> chunk = encode_chunk(shares.data(), bytes, sizeof(float), shuffle);
    {
      h5::File file = h5::File::create(path);
      const std::array<h5::Extent, 2> origin{0, 0};
      // HDF5's own filter pipeline stores a zlib stream of the same (shuffled or plain)
      // bytes as ours (the compressed bytes may differ: two deflate encoders need not agree) ...
      h5::Dataset piped = file.create_dataset<float>("piped", {2, 5000}, {{2, 5000}, shuffle});
      piped.write(shares);
      std::uint32_t filters = 99;
      const std::vector<unsigned char> stored = piped.read_chunk(origin, filters);
      CHECK(filters == 0);  // every filter applied
      const auto* raw = reinterpret_cast<const unsigned char*>(shares.data());
      const std::vector<unsigned char> before_deflate =
          shuffle == Shuffle::yes ? shuffle_bytes(shares.data(), bytes, sizeof(float))
                                  : std::vector<unsigned char>(raw, raw + bytes);
      CHECK(inflate_zlib(stored, bytes) == before_deflate);
      CHECK(inflate_zlib(chunk, bytes) == before_deflate);

      // ... and our chunk, stored directly, reads back through that pipeline as the values.
      h5::Dataset direct = file.create_dataset<float>("direct", {2, 5000}, {{2, 5000}, shuffle});
      direct.write_chunk(origin, chunk);
      const std::vector<float> back = direct.read<float>({0, 0}, {2, 5000});
      CHECK(std::memcmp(back.data(), shares.data(), bytes) == 0);  // bit for bit, NaNs included
      CHECK(chunk.size() < bytes * 3 / 4);  // and it is compressed
    }
    std::filesystem::remove(path);
  }
}
