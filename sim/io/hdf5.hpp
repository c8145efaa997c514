#pragma once
// A typed layer over HDF5's C API, in the manner of HighFive: files and datasets are
// RAII objects (no id can leak), and datasets and attributes are written and read by C++
// type, the type in the file following from Traits<T>. Only hdf5.cpp sees <hdf5.h>: ids
// are opaque integers here, so that HDF5 stays private to the I/O library.
//
// Every failure throws OutputError naming the file, the operation and the object,
// followed by HDF5's own error stack. HDF5 would print that stack to stderr; this layer
// turns the printing off on each thread that calls it and carries the stack instead.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "sim/io/chunk_encoding.hpp"
#include "sim/io/output_error.hpp"

namespace stackrace::h5 {

using Id = std::int64_t;            // an HDF5 id (hid_t; hdf5.cpp checks that they agree)
using Extent = unsigned long long;  // a length or an offset along one axis (hsize_t)
using Dims = std::vector<Extent>;

// How an element is stored in the file. Numbers are little-endian whatever the host, as
// every stackrace file has them.
struct DataType {
  enum class Kind : std::uint8_t { int8, int64, float32, float64, string, fixed_string };
  Kind kind = Kind::int64;
  std::size_t bytes = 0;  // of a fixed_string, its terminating null included
  constexpr bool floating() const { return kind == Kind::float32 || kind == Kind::float64; }
  friend constexpr bool operator==(const DataType&, const DataType&) = default;
};

// A string in N bytes, null-terminated: the only strings a file in SWMR mode can still
// take (variable-length strings live in the file's heap, which SWMR writing cannot grow).
template <std::size_t N>
struct FixedString {
  static_assert(N > 0, "room for the terminating null");
  std::array<char, N> bytes{};

  FixedString() = default;
  // The first N - 1 bytes of `text`, the rest nulls.
  explicit FixedString(std::string_view text) { std::copy_n(text.data(), std::min(text.size(), N - 1), bytes.data()); }
  std::string str() const { return std::string(bytes.data(), std::ranges::find(bytes, '\0') - bytes.begin()); }
};

// The type that stores a T. Memory holds numbers natively and strings as the file does.
template <class T>
struct Traits;
template <> struct Traits<std::int8_t> { static constexpr DataType type{DataType::Kind::int8}; };
template <> struct Traits<std::int64_t> { static constexpr DataType type{DataType::Kind::int64}; };
template <> struct Traits<float> { static constexpr DataType type{DataType::Kind::float32}; };
template <> struct Traits<double> { static constexpr DataType type{DataType::Kind::float64}; };
// One byte of text, netCDF's char: arrays of it hold fixed-length text that netCDF reads.
template <> struct Traits<char> { static constexpr DataType type{DataType::Kind::fixed_string, 1}; };
// Variable-length UTF-8.
template <> struct Traits<std::string> { static constexpr DataType type{DataType::Kind::string}; };
template <std::size_t N>
struct Traits<FixedString<N>> {
  static constexpr DataType type{DataType::Kind::fixed_string, N};
};

template <class T>
concept Stored = requires { Traits<T>::type; };
// Stored as it lies in memory: numbers and fixed strings (not std::string).
template <class T>
concept Plain = Stored<T> && std::is_trivially_copyable_v<T>;
template <class R>
concept PlainRange = std::ranges::contiguous_range<R> && Plain<std::ranges::range_value_t<R>>;

// What a dataset reads as where nothing was written: HDF5's zero, or NaN (floating point).
enum class Fill { zero, nan };

// How a dataset is stored: contiguous, or (with `chunk`) chunked and compressed, through
// shuffle (unless told not to) and deflate at chunk_encoding.hpp's level.
struct Layout {
  Dims chunk;
  Shuffle shuffle = Shuffle::yes;
  Fill fill = Fill::zero;
};

// What files and datasets share: one open id, a name for messages, and attributes.
class Object {
 public:
  Object(Object&& other) noexcept;
  Object& operator=(Object&& other) noexcept;
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;
  ~Object();  // closes; a failure to close is lost (File::close reports it)

  bool is_open() const { return id_ >= 0; }
  const std::string& file_path() const { return file_; }
  // The file was renamed while open: its failures from now on name it by `path`.
  void file_renamed(const std::string& path) { file_ = path; }
  const std::string& name() const { return name_; }  // its path in the file ("/" for the file)

  bool has_attribute(const std::string& name) const;
  // A scalar attribute; text is stored as a variable-length UTF-8 string.
  void write_attribute(const std::string& name, std::string_view text);
  // Text as a fixed-length string, which netCDF reads as its char type (NC_CHAR): CF's
  // attributes, which some netCDF tools read only so (`ncdump -t` dates a time whose
  // units are char, not string).
  void write_char_attribute(const std::string& name, std::string_view text);
  template <Plain T>
  void write_attribute(const std::string& name, const T& value) {
    write_attribute_raw(name, Traits<T>::type, &value, std::nullopt);
  }
  // A one-dimensional attribute (netCDF's flag_values, say).
  template <Plain T>
  void write_attribute(const std::string& name, std::span<const T> values) {
    write_attribute_raw(name, Traits<T>::type, values.data(), values.size());
  }
  // A scalar attribute as T; a std::string reads whether stored with variable or fixed length.
  template <class T>
  T read_attribute(const std::string& name) const {
    if constexpr (std::is_same_v<T, std::string>) {
      return read_string_attribute(name);
    } else {
      static_assert(Plain<T>, "no HDF5 type for this T (h5::Traits)");
      T value{};
      read_attribute_raw(name, Traits<T>::type, &value);
      return value;
    }
  }

 protected:
  enum class Kind : std::uint8_t { file, dataset };
  Object() = default;
  Object(Id id, Kind kind, std::string file, std::string name);
  void close();
  // "dataset share", "the file": how messages name this object.
  std::string description() const;

  Id id_ = -1;
  Kind kind_ = Kind::dataset;
  std::string file_;
  std::string name_;

 private:
  void release() noexcept;  // closes, ignoring a failure
  // `count`: the elements of a one-dimensional attribute; none for a scalar.
  void write_attribute_raw(const std::string& name, DataType type, const void* value, std::optional<std::size_t> count);
  void read_attribute_raw(const std::string& name, DataType type, void* value) const;
  std::string read_string_attribute(const std::string& name) const;
};

class Dataset : public Object {
 public:
  Dataset() = default;

  Dims shape() const;
  Dims chunk_shape() const;  // empty where it is not chunked

  // The whole dataset, in row-major order.
  template <PlainRange R>
  void write(const R& values) {
    using T = std::ranges::range_value_t<R>;
    write_raw(Traits<T>::type, nullptr, nullptr, std::ranges::data(values), std::ranges::size(values));
  }
  void write(const std::vector<std::string>& values);
  // The box [start, start + count) (an entry per axis), in row-major order.
  template <PlainRange R>
  void write(const R& values, const Dims& start, const Dims& count) {
    using T = std::ranges::range_value_t<R>;
    write_raw(Traits<T>::type, &start, &count, std::ranges::data(values), std::ranges::size(values));
  }
  // One element.
  template <Plain T>
  void write_element(const T& value, const Dims& at) {
    write_raw(Traits<T>::type, &at, &one(at.size()), &value, 1);
  }

  // The whole dataset, in row-major order.
  template <Stored T>
  std::vector<T> read() const {
    if constexpr (std::is_same_v<T, std::string>) {
      return read_strings();
    } else {
      std::vector<T> values(elements(shape()));
      read_raw(Traits<T>::type, nullptr, nullptr, values.data(), values.size());
      return values;
    }
  }
  // The box [start, start + count).
  template <Plain T>
  std::vector<T> read(const Dims& start, const Dims& count) const {
    std::vector<T> values(elements(count));
    read_raw(Traits<T>::type, &start, &count, values.data(), values.size());
    return values;
  }

  // Stores a chunk's bytes as they are, already through the dataset's filters
  // (chunk_encoding.hpp), as the chunk that starts at `offset` (an entry per axis).
  void write_chunk(std::span<const Extent> offset, std::span<const unsigned char> bytes);
  // A chunk's bytes as stored, and the mask of the filters skipped on it (0: all applied).
  std::vector<unsigned char> read_chunk(std::span<const Extent> offset, std::uint32_t& skipped_filters) const;

  // Makes this dataset the dimension scale `name`, and attaches a scale to one of its axes.
  void make_scale(const std::string& name);
  void attach_scale(const Dataset& scale, unsigned axis);

 private:
  friend class File;
  Dataset(Id id, std::string file, std::string name) : Object(id, Kind::dataset, std::move(file), std::move(name)) {}
  static std::size_t elements(const Dims& dims);
  static const Dims& one(std::size_t rank);
  void write_raw(DataType memory, const Dims* start, const Dims* count, const void* data, std::size_t elements);
  void read_raw(DataType memory, const Dims* start, const Dims* count, void* data, std::size_t elements) const;
  std::vector<std::string> read_strings() const;
};

class File : public Object {
 public:
  File() = default;

  // Creates PATH, replacing any file there. `swmr`: in the file format that
  // single-writer/multiple-reader mode needs (start_swmr_write).
  static File create(const std::string& path, bool swmr = false);
  // Opens PATH for reading. A file whose SWMR writer was killed is still marked open for
  // writing; it is consistent, and opens in SWMR-read mode.
  static File open(const std::string& path);
  // Reopens a SWMR file for writing, clearing the "open for writing" mark a killed writer
  // leaves (what `h5clear -s` does).
  static File reopen_swmr(const std::string& path);

  // Enters SWMR-write mode: always consistent on disk, so that a writer killed at any
  // moment leaves a readable file; no new objects or attributes after this.
  void start_swmr_write();
  void flush();
  // Closes now and reports a failure (the last writes may fail only here). Close the
  // file's datasets first: the file stays open while any of them is.
  using Object::close;

  std::vector<std::string> names() const;  // the objects at its root
  bool contains(const std::string& name) const;
  Dataset dataset(const std::string& name) const;
  // Empty `dims`: a scalar dataset (one element).
  Dataset create_dataset(const std::string& name, DataType type, const Dims& dims, const Layout& layout = {});
  template <Stored T>
  Dataset create_dataset(const std::string& name, const Dims& dims, const Layout& layout = {}) {
    return create_dataset(name, Traits<T>::type, dims, layout);
  }

 private:
  File(Id id, std::string path) : Object(id, Kind::file, std::move(path), "/") {}
};

}  // namespace stackrace::h5
