#include "sim/io/hdf5.hpp"

#include "sim/io/chunk_encoding.hpp"

#include <hdf5_hl.h>

#include <algorithm>
#include <limits>

namespace stackrace::h5 {
// Not at start-up, where it would initialise the library (~1 ms) on the main thread even
// when only a sweep's writer thread uses HDF5. Debian's HDF5 is a thread-safe build, with
// an error stack (and its printing) per thread: hence once per thread.
void silence_errors() {
  thread_local const bool silenced = H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0;
  (void)silenced;
}

Handle::Handle(hid_t id, Closer close, const std::string& what) : id_(id), close_(close) {
  if (id < 0) throw Hdf5Error("HDF5: cannot " + what);
}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = std::exchange(other.id_, -1);
    close_ = other.close_;
  }
  return *this;
}

void Handle::reset() {
  if (id_ >= 0 && close_) close_(id_);
  id_ = -1;
}

void check(herr_t status, const std::string& what) {
  if (status < 0) throw Hdf5Error("HDF5: cannot " + what);
}

Handle create_file(const std::string& path) {
  silence_errors();
  return Handle(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose, "create " + path);
}

Handle open_file(const std::string& path, bool writable) {
  silence_errors();
  hid_t id = H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT);
  // A sweep file whose writer was killed is still marked as open for writing; it is
  // consistent, and reads in SWMR mode.
  if (id < 0 && !writable) id = H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT);
  return Handle(id, H5Fclose, "open " + path + " (is it an HDF5 file?)");
}

namespace {
Handle latest_format_access() {
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "make file access properties");
  check(H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST), "select the SWMR file format");
  return fapl;
}
}  // namespace

Handle create_checkpoint_file(const std::string& path) {
  silence_errors();
  Handle fapl = latest_format_access();
  return Handle(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose, "create " + path);
}

Handle reopen_checkpoint_file(const std::string& path) {
  silence_errors();
  Handle fapl = latest_format_access();
  // HDF5's own switch for clearing the status flags of a file whose writer died.
  hbool_t clear = true;
  if (H5Pexist(fapl, "clear_status_flags") > 0) H5Pset(fapl, "clear_status_flags", &clear);
  return Handle(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl), H5Fclose, "reopen " + path + " for writing");
}

void start_checkpointing(hid_t file) { check(H5Fstart_swmr_write(file), "start SWMR writing"); }

std::vector<std::string> dataset_names(hid_t file) {
  std::vector<std::string> names;
  H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, nullptr,
              [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
                static_cast<std::vector<std::string>*>(out)->emplace_back(name);
                return 0;
              },
              &names);
  return names;
}

Handle fixed_string_type(std::size_t bytes) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "make a string type");
  check(H5Tset_size(type, bytes), "make a string type");
  check(H5Tset_strpad(type, H5T_STR_NULLTERM), "make a string type");
  return type;
}

Handle open_dataset(hid_t file, const std::string& name) {
  return Handle(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose, "open dataset " + name);
}

bool has_dataset(hid_t file, const std::string& name) { return H5Lexists(file, name.c_str(), H5P_DEFAULT) > 0; }

Handle create_dataset(hid_t file, const std::string& name, hid_t type, const std::vector<hsize_t>& dims,
                      const std::vector<hsize_t>& chunk, Shuffle shuffle, Fill fill) {
  Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose, "make space for " + name);
  Handle props(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "make properties for " + name);
  if (!chunk.empty()) {
    check(H5Pset_chunk(props, static_cast<int>(chunk.size()), chunk.data()), "chunk " + name);
    if (shuffle == Shuffle::yes) check(H5Pset_shuffle(props), "shuffle " + name);
    check(H5Pset_deflate(props, deflate_level), "compress " + name);
  }
  if (fill == Fill::nan) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    check(H5Pset_fill_value(props, H5T_NATIVE_DOUBLE, &nan), "set the fill value of " + name);
  }
  return Handle(H5Dcreate2(file, name.c_str(), type, space, H5P_DEFAULT, props, H5P_DEFAULT), H5Dclose,
                "create dataset " + name);
}

std::vector<hsize_t> shape(hid_t dataset) {
  Handle space(H5Dget_space(dataset), H5Sclose, "read a dataset's shape");
  std::vector<hsize_t> dims(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

std::vector<hsize_t> chunk_shape(hid_t dataset) {
  Handle props(H5Dget_create_plist(dataset), H5Pclose, "read a dataset's properties");
  if (H5Pget_layout(props) != H5D_CHUNKED) return {};
  std::vector<hsize_t> dims(static_cast<std::size_t>(H5Pget_chunk(props, 0, nullptr)));
  H5Pget_chunk(props, static_cast<int>(dims.size()), dims.data());
  return dims;
}

namespace {
Handle select_box(hid_t dataset, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count) {
  Handle file_space(H5Dget_space(dataset), H5Sclose, "select in a dataset");
  check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr), "select a box");
  return file_space;
}
}  // namespace

void write_box(hid_t dataset, hid_t type, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
               const void* data) {
  Handle file_space = select_box(dataset, start, count);
  Handle memory(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose, "make memory space");
  check(H5Dwrite(dataset, type, memory, file_space, H5P_DEFAULT, data), "write a dataset");
}

void read_box(hid_t dataset, hid_t type, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
              void* data) {
  Handle file_space = select_box(dataset, start, count);
  Handle memory(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose, "make memory space");
  check(H5Dread(dataset, type, memory, file_space, H5P_DEFAULT, data), "read a dataset");
}

Handle string_type() {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "make a string type");
  check(H5Tset_size(type, H5T_VARIABLE), "make a string type");
  check(H5Tset_cset(type, H5T_CSET_UTF8), "make a string type");
  return type;
}

namespace {
// HDF5 converts variable-length strings through a buffer it zeroes first, 1 MiB by
// default: for a few dozen names that was most of the time to create a result file.
// hvl_t (16 bytes) is the largest element such a conversion holds.
Handle string_transfer(std::size_t count) {
  Handle transfer(H5Pcreate(H5P_DATASET_XFER), H5Pclose, "make transfer properties");
  check(H5Pset_buffer(transfer, std::max<std::size_t>(count, 1) * sizeof(hvl_t), nullptr, nullptr),
        "size the string conversion buffer");
  return transfer;
}
}  // namespace

void write_strings(hid_t dataset, const std::vector<std::string>& values) {
  std::vector<const char*> pointers;
  for (const auto& v : values) pointers.push_back(v.c_str());
  Handle type = string_type();
  Handle transfer = string_transfer(values.size());
  check(H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, transfer, pointers.data()), "write strings");
}

std::vector<std::string> read_strings(hid_t dataset) {
  std::vector<hsize_t> dims = shape(dataset);
  std::vector<char*> pointers(dims.empty() ? 1 : dims[0], nullptr);
  Handle type = string_type();
  Handle transfer = string_transfer(pointers.size());
  check(H5Dread(dataset, type, H5S_ALL, H5S_ALL, transfer, pointers.data()), "read strings");
  std::vector<std::string> values(pointers.begin(), pointers.end());
  Handle space(H5Dget_space(dataset), H5Sclose, "read strings");
  H5Dvlen_reclaim(type, space, H5P_DEFAULT, pointers.data());
  return values;
}

void write_attribute(hid_t object, const std::string& name, const std::string& value) {
  Handle type = string_type();
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, "make attribute " + name);
  Handle attribute(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                   "create attribute " + name);
  const char* text = value.c_str();
  check(H5Awrite(attribute, type, &text), "write attribute " + name);
}

void write_attribute(hid_t object, const std::string& name, std::int64_t value) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, "make attribute " + name);
  Handle attribute(H5Acreate2(object, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                   "create attribute " + name);
  check(H5Awrite(attribute, H5T_NATIVE_INT64, &value), "write attribute " + name);
}

bool has_attribute(hid_t object, const std::string& name) { return H5Aexists(object, name.c_str()) > 0; }

std::string read_string_attribute(hid_t object, const std::string& name) {
  Handle attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, "open attribute " + name);
  Handle stored(H5Aget_type(attribute), H5Tclose, "read attribute " + name);
  if (H5Tis_variable_str(stored) > 0) {
    Handle type = string_type();
    char* text = nullptr;
    check(H5Aread(attribute, type, &text), "read attribute " + name);
    std::string value = text ? text : "";
    H5free_memory(text);
    return value;
  }
  std::string value(H5Tget_size(stored), '\0');
  check(H5Aread(attribute, stored, value.data()), "read attribute " + name);
  return value.substr(0, value.find('\0'));
}

std::int64_t read_int_attribute(hid_t object, const std::string& name) {
  Handle attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, "open attribute " + name);
  std::int64_t value = 0;
  check(H5Aread(attribute, H5T_NATIVE_INT64, &value), "read attribute " + name);
  return value;
}

void make_dimension_scale(hid_t scale, const std::string& name) {
  check(H5DSset_scale(scale, name.c_str()), "make " + name + " a dimension scale");
}

void attach_dimension(hid_t dataset, hid_t scale, unsigned axis) {
  check(H5DSattach_scale(dataset, scale, axis), "attach a dimension scale");
}

}  // namespace stackrace::h5
