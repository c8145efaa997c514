#pragma once
// A dataset chunk compressed as HDF5's shuffle and deflate filters store it (the shuffled
// bytes in one zlib stream, which the deflate filter decodes), but outside HDF5: a
// sweep's workers compress their own runs side by side and the one writer only stores
// the bytes (H5Dwrite_chunk). Compressing in the writer made it the
// bottleneck of many tiny runs on many cores.
#include <bit>
#include <cstddef>
#include <vector>

namespace stackrace {

// The deflate level of every compressed dataset (hdf5.cpp's create_dataset sets the same
// filters): level 1 is several times faster than higher ones for 10-20% larger files.
// Run chunks are compressed with libdeflate, about twice as fast as HDF5's zlib at level
// 1 and a little smaller (figures in bench/README.md, "Tuning notes").
inline constexpr int deflate_level = 1;

// Whether a dataset's chunks go through HDF5's shuffle filter before deflate. Shuffling
// helps smooth numbers whose high bytes repeat; it hurts shares, which are fractions
// k / n whose whole 4-byte patterns recur from month to month, so that shares compress
// smaller and faster unshuffled (bench/README.md, "Tuning notes").
enum class Shuffle : bool { no = false, yes = true };

// The bytes are taken as they lie in memory and stored as the file's little-endian types.
static_assert(std::endian::native == std::endian::little, "chunk encoding assumes a little-endian host");

// HDF5's shuffle filter: byte j of every element together, j = 0 .. element_size - 1
// (trailing bytes that make no whole element are copied as they are).
std::vector<unsigned char> shuffle_bytes(const void* data, std::size_t bytes, std::size_t element_size);

// Shuffle (unless told not to), then deflate into a zlib stream, which HDF5's deflate
// filter reads (the bytes differ from what HDF5 would write, as any two deflate encoders
// may; the data do not). `shuffle` must be what the dataset was created with.
std::vector<unsigned char> encode_chunk(const void* data, std::size_t bytes, std::size_t element_size,
                                        Shuffle shuffle = Shuffle::yes);

}  // namespace stackrace
