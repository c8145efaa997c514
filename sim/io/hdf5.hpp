#pragma once
// A small RAII layer over the HDF5 C API: no id can leak, and every failure becomes an
// Hdf5Error that names the object it was about.
#include <hdf5.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sim/io/chunk_encoding.hpp"

namespace stackrace::h5 {

struct Hdf5Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// HDF5 prints its own error stack on a failure; stackrace reports through exceptions
// instead. Turns that printing off for the calling thread (HDF5 keeps an error stack per
// thread): call it before a thread's first HDF5 call. Opening or creating a file does.
void silence_errors();

// Owns one HDF5 id and closes it with the matching H5?close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer close, const std::string& what);
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, -1)), close_(other.close_) {}
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  hid_t id() const { return id_; }
  operator hid_t() const { return id_; }
  void reset();

 private:
  hid_t id_ = -1;
  Closer close_ = nullptr;
};

void check(herr_t status, const std::string& what);

Handle create_file(const std::string& path);
Handle open_file(const std::string& path, bool writable);
// A file for single-writer/multiple-reader (SWMR) checkpointing: always consistent on
// disk, so a writer killed at any moment leaves a readable file.
Handle create_checkpoint_file(const std::string& path);
// Reopens such a file for writing, clearing the "open for writing" mark a killed writer
// leaves behind (what `h5clear -s` does).
Handle reopen_checkpoint_file(const std::string& path);
void start_checkpointing(hid_t file);  // enters SWMR-write mode: no new objects or attributes after this
std::vector<std::string> dataset_names(hid_t file);
Handle open_dataset(hid_t file, const std::string& name);
bool has_dataset(hid_t file, const std::string& name);

// What a dataset reads as where nothing was written: HDF5's zero, or NaN (floating point).
enum class Fill { zero, nan };

// A dataset of the given shape; `chunk` empty means contiguous, otherwise it is chunked
// and compressed (shuffle, unless told not to, then deflate).
Handle create_dataset(hid_t file, const std::string& name, hid_t type, const std::vector<hsize_t>& dims,
                      const std::vector<hsize_t>& chunk = {}, Shuffle shuffle = Shuffle::yes, Fill fill = Fill::zero);
std::vector<hsize_t> shape(hid_t dataset);
std::vector<hsize_t> chunk_shape(hid_t dataset);  // empty if not chunked

// Writes `data` (in `type`) into the box [start, start + count) of the dataset.
void write_box(hid_t dataset, hid_t type, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
               const void* data);
void read_box(hid_t dataset, hid_t type, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
              void* data);

Handle string_type();  // variable-length UTF-8
Handle fixed_string_type(std::size_t bytes);  // null-terminated, for writing in SWMR mode
void write_strings(hid_t dataset, const std::vector<std::string>& values);
std::vector<std::string> read_strings(hid_t dataset);

void write_attribute(hid_t object, const std::string& name, const std::string& value);
void write_attribute(hid_t object, const std::string& name, std::int64_t value);
bool has_attribute(hid_t object, const std::string& name);
std::string read_string_attribute(hid_t object, const std::string& name);
std::int64_t read_int_attribute(hid_t object, const std::string& name);

// Makes `scale` a dimension scale named `name` and attaches it to the given axis of `dataset`.
void make_dimension_scale(hid_t scale, const std::string& name);
void attach_dimension(hid_t dataset, hid_t scale, unsigned axis);

template <class T>
hid_t native_type();
template <> inline hid_t native_type<float>() { return H5T_NATIVE_FLOAT; }
template <> inline hid_t native_type<double>() { return H5T_NATIVE_DOUBLE; }
template <> inline hid_t native_type<std::int64_t>() { return H5T_NATIVE_INT64; }
template <> inline hid_t native_type<std::int8_t>() { return H5T_NATIVE_INT8; }

}  // namespace stackrace::h5
