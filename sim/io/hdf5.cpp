#include "sim/io/hdf5.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <cstdio>
#include <functional>
#include <limits>
#include <stdexcept>
#include <utility>

#include "sim/io/input_path.hpp"

namespace stackrace::h5 {

static_assert(std::is_same_v<hid_t, Id>, "h5::Id must be HDF5's hid_t");
static_assert(std::is_same_v<hsize_t, Extent>, "h5::Extent must be HDF5's hsize_t");

namespace {

// HDF5 prints its error stack to stderr when a call fails; stackrace carries the stack
// in the exception instead. Debian's HDF5 is a thread-safe build, with an error stack
// (and its printing) per thread, so printing is turned off on each thread before its
// first call here: a sweep writes from whichever thread runs its writer stage. Not at
// start-up, where it would initialise the library (~1 ms) on the main thread even when
// only a sweep's writer thread uses HDF5.
void quiet() {
  thread_local const bool silenced = H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0;
  (void)silenced;
}

// HDF5 closes whatever is still open when the process exits. A file whose closing failed
// (its last flush found the disk full) stays in HDF5's tables half closed, and closing it
// again there crashed (SIGSEGV in H5F__close_cb) after the failure had been reported. Every
// file here is closed by its owner, so nothing is left for that pass. H5dont_atexit only
// sets a flag (it does not initialise the library); it must come before the first call.
const bool no_closing_at_exit = H5dont_atexit() >= 0;

std::string message_of(hid_t message) {
  char text[256] = "";
  H5Eget_msg(message, nullptr, text, sizeof text);
  return text;
}

// The calling thread's HDF5 error stack, outermost call first, one line per entry as
// HDF5 prints them; then clears it. Must come before any other HDF5 call, which would
// replace it.
std::string error_stack() {
  std::string lines;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_DOWNWARD,
      [](unsigned n, const H5E_error2_t* e, void* out) -> herr_t {
        const std::string_view file = e->file_name ? e->file_name : "";
        // Some descriptions hold a ctime() date, newline included.
        std::string description = e->desc ? e->desc : "";
        std::erase(description, '\n');
        char head[64];
        std::snprintf(head, sizeof head, "  #%03u: ", n);
        *static_cast<std::string*>(out) += std::string(head) + std::string(file.substr(file.rfind('/') + 1)) +
                                           " line " + std::to_string(e->line) + " in " +
                                           (e->func_name ? e->func_name : "?") + "(): " + description + " (" +
                                           message_of(e->maj_num) + ": " + message_of(e->min_num) + ")\n";
        return 0;
      },
      &lines);
  H5Eclear2(H5E_DEFAULT);
  if (!lines.empty()) lines.pop_back();
  return lines;
}

// An HDF5 call's result, checked: a negative one throws `what` ("cannot write dataset
// share", built only then) and HDF5's error stack.
template <class Result, class What>
Result check(Result result, const std::string& file, const What& what) {
  if (result >= 0) return result;
  const std::string stack = error_stack();
  throw OutputError(file, stack.empty() ? what() : what() + "; HDF5's error stack:\n" + stack);
}

// Owns an id that is no Object (a dataspace, property list, type or attribute).
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle(hid_t id, Closer close) : id_(id), close_(close) {}
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, -1)), close_(other.close_) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, -1);
      close_ = other.close_;
    }
    return *this;
  }
  ~Handle() { reset(); }
  operator hid_t() const { return id_; }

 private:
  void reset() {
    if (id_ >= 0 && close_) close_(id_);
    id_ = -1;
  }

  hid_t id_;
  Closer close_;
};

// A predefined type: HDF5's own, never closed.
Handle predefined(hid_t type) { return Handle(type, nullptr); }

Handle string_type(DataType type, const std::string& file) {
  auto what = [] { return std::string("cannot make a string type"); };
  Handle t(check(H5Tcopy(H5T_C_S1), file, what), H5Tclose);
  if (type.kind == DataType::Kind::string) {
    check(H5Tset_size(t, H5T_VARIABLE), file, what);
    check(H5Tset_cset(t, H5T_CSET_UTF8), file, what);
  } else {
    check(H5Tset_size(t, type.bytes), file, what);
    check(H5Tset_strpad(t, H5T_STR_NULLTERM), file, what);
  }
  return t;
}

// The file's type for `type` (little-endian, as every stackrace file), and memory's
// (numbers native, strings as the file has them).
enum class Side { file, memory };
Handle type_id(DataType type, Side side, const std::string& file) {
  const bool stored = side == Side::file;
  switch (type.kind) {
    case DataType::Kind::int8: return predefined(stored ? H5T_STD_I8LE : H5T_NATIVE_INT8);
    case DataType::Kind::int64: return predefined(stored ? H5T_STD_I64LE : H5T_NATIVE_INT64);
    case DataType::Kind::float32: return predefined(stored ? H5T_IEEE_F32LE : H5T_NATIVE_FLOAT);
    case DataType::Kind::float64: return predefined(stored ? H5T_IEEE_F64LE : H5T_NATIVE_DOUBLE);
    case DataType::Kind::string:
    case DataType::Kind::fixed_string: return string_type(type, file);
  }
  throw std::logic_error("h5: unknown data type");
}

// HDF5 converts variable-length strings through a buffer it zeroes first, 1 MiB by
// default: for a few dozen names that was most of the time to create a result file.
// hvl_t (16 bytes) is the largest element such a conversion holds.
Handle string_transfer(std::size_t count, const std::string& file) {
  auto what = [] { return std::string("cannot make transfer properties for strings"); };
  Handle transfer(check(H5Pcreate(H5P_DATASET_XFER), file, what), H5Pclose);
  check(H5Pset_buffer(transfer, std::max<std::size_t>(count, 1) * sizeof(hvl_t), nullptr, nullptr), file, what);
  return transfer;
}

Handle latest_format_access(const std::string& file) {
  auto what = [] { return std::string("cannot select the SWMR file format"); };
  Handle fapl(check(H5Pcreate(H5P_FILE_ACCESS), file, what), H5Pclose);
  check(H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST), file, what);
  return fapl;
}

}  // namespace

// ---- Object

Object::Object(Id id, Kind kind, std::string file, std::string name)
    : id_(id), kind_(kind), file_(std::move(file)), name_(std::move(name)) {}

Object::Object(Object&& other) noexcept
    : id_(std::exchange(other.id_, -1)), kind_(other.kind_), file_(std::move(other.file_)),
      name_(std::move(other.name_)) {}

Object& Object::operator=(Object&& other) noexcept {
  if (this != &other) {
    release();
    id_ = std::exchange(other.id_, -1);
    kind_ = other.kind_;
    file_ = std::move(other.file_);
    name_ = std::move(other.name_);
  }
  return *this;
}

Object::~Object() { release(); }

void Object::release() noexcept {
  if (id_ < 0) return;
  quiet();
  kind_ == Kind::file ? H5Fclose(id_) : H5Dclose(id_);
  id_ = -1;
}

void Object::close() {
  if (id_ < 0) return;
  quiet();
  const hid_t id = std::exchange(id_, -1);
  check(kind_ == Kind::file ? H5Fclose(id) : H5Dclose(id), file_, [&] { return "cannot close " + description(); });
}

std::string Object::description() const { return kind_ == Kind::file ? "the file" : "dataset " + name_; }

bool Object::has_attribute(const std::string& name) const {
  quiet();
  return check(H5Aexists(id_, name.c_str()), file_,
               [&] { return "cannot look for attribute " + name + " of " + description(); }) > 0;
}

void Object::write_attribute(const std::string& name, std::string_view text) {
  const std::string value(text);
  const char* pointer = value.c_str();  // how memory holds a variable-length string
  write_attribute_raw(name, Traits<std::string>::type, &pointer, std::nullopt);
}

void Object::write_char_attribute(const std::string& name, std::string_view text) {
  // HDF5 has no string of no bytes: an empty text takes one, a null.
  const std::string value(text.empty() ? std::string(1, '\0') : std::string(text));
  write_attribute_raw(name, DataType{DataType::Kind::fixed_string, value.size()}, value.data(), std::nullopt);
}

void Object::write_attribute_raw(const std::string& name, DataType type, const void* value,
                                 std::optional<std::size_t> count) {
  quiet();
  auto what = [&] { return "cannot write attribute " + name + " of " + description(); };
  Handle stored = type_id(type, Side::file, file_), memory = type_id(type, Side::memory, file_);
  const hsize_t length = count.value_or(0);
  Handle space(check(count ? H5Screate_simple(1, &length, nullptr) : H5Screate(H5S_SCALAR), file_, what), H5Sclose);
  Handle attribute(check(H5Acreate2(id_, name.c_str(), stored, space, H5P_DEFAULT, H5P_DEFAULT), file_, what),
                   H5Aclose);
  check(H5Awrite(attribute, memory, value), file_, what);
}

void Object::read_attribute_raw(const std::string& name, DataType type, void* value) const {
  quiet();
  auto what = [&] { return "cannot read attribute " + name + " of " + description(); };
  Handle attribute(check(H5Aopen(id_, name.c_str(), H5P_DEFAULT), file_, what), H5Aclose);
  Handle memory = type_id(type, Side::memory, file_);
  check(H5Aread(attribute, memory, value), file_, what);
}

std::string Object::read_string_attribute(const std::string& name) const {
  quiet();
  auto what = [&] { return "cannot read attribute " + name + " of " + description(); };
  Handle attribute(check(H5Aopen(id_, name.c_str(), H5P_DEFAULT), file_, what), H5Aclose);
  Handle stored(check(H5Aget_type(attribute), file_, what), H5Tclose);
  if (check(H5Tis_variable_str(stored), file_, what) > 0) {
    Handle type = string_type(Traits<std::string>::type, file_);
    char* text = nullptr;
    check(H5Aread(attribute, type, &text), file_, what);
    std::string value = text ? text : "";
    H5free_memory(text);
    return value;
  }
  std::string value(H5Tget_size(stored), '\0');
  check(H5Aread(attribute, stored, value.data()), file_, what);
  return value.substr(0, value.find('\0'));
}

// ---- Dataset

std::size_t Dataset::elements(const Dims& dims) {
  std::size_t n = 1;
  for (Extent d : dims) n *= static_cast<std::size_t>(d);
  return n;
}

const Dims& Dataset::one(std::size_t rank) {
  static const std::array<Dims, 8> ones = [] {
    std::array<Dims, 8> v;
    for (std::size_t r = 0; r < v.size(); ++r) v[r] = Dims(r, 1);
    return v;
  }();
  if (rank >= ones.size()) throw std::invalid_argument("h5: one element of a dataset of rank " + std::to_string(rank));
  return ones[rank];
}

Dims Dataset::shape() const {
  quiet();
  auto what = [&] { return "cannot read the shape of " + description(); };
  Handle space(check(H5Dget_space(id_), file_, what), H5Sclose);
  Dims dims(static_cast<std::size_t>(check(H5Sget_simple_extent_ndims(space), file_, what)));
  check(H5Sget_simple_extent_dims(space, dims.data(), nullptr), file_, what);
  return dims;
}

Dims Dataset::chunk_shape() const {
  quiet();
  auto what = [&] { return "cannot read the chunks of " + description(); };
  Handle props(check(H5Dget_create_plist(id_), file_, what), H5Pclose);
  if (check(H5Pget_layout(props), file_, what) != H5D_CHUNKED) return {};
  Dims dims(static_cast<std::size_t>(check(H5Pget_chunk(props, 0, nullptr), file_, what)));
  check(H5Pget_chunk(props, static_cast<int>(dims.size()), dims.data()), file_, what);
  return dims;
}

namespace {

// Where a transfer goes in the dataset and in memory: all of it, or the box [start,
// start + count) of it, checked against the elements memory holds.
struct Selection {
  Handle file_space{H5S_ALL, nullptr};
  Handle memory_space{H5S_ALL, nullptr};
};

Selection select(hid_t dataset, const Dims* start, const Dims* count, std::size_t elements, const std::string& file,
                 const std::function<std::string()>& what) {
  Selection s;
  Handle space(check(H5Dget_space(dataset), file, what), H5Sclose);
  if (!start) {
    const hssize_t n = check(H5Sget_simple_extent_npoints(space), file, what);
    if (std::size_t(n) != elements)
      throw std::invalid_argument(what() + ": " + std::to_string(elements) + " values for " + std::to_string(n) +
                                  " elements");
    return s;
  }
  const int rank = check(H5Sget_simple_extent_ndims(space), file, what);
  std::size_t n = 1;
  for (Extent c : *count) n *= std::size_t(c);
  if (start->size() != std::size_t(rank) || count->size() != std::size_t(rank) || n != elements)
    throw std::invalid_argument(what() + ": a box of rank " + std::to_string(count->size()) + " and " +
                                std::to_string(n) + " elements for " + std::to_string(elements) +
                                " values in a dataset of rank " + std::to_string(rank));
  check(H5Sselect_hyperslab(space, H5S_SELECT_SET, start->data(), nullptr, count->data(), nullptr), file, what);
  s.file_space = std::move(space);
  s.memory_space = Handle(check(H5Screate_simple(rank, count->data(), nullptr), file, what), H5Sclose);
  return s;
}

}  // namespace

void Dataset::write_raw(DataType memory, const Dims* start, const Dims* count, const void* data,
                        std::size_t elements) {
  quiet();
  const std::function<std::string()> what = [&] { return "cannot write " + description(); };
  Handle type = type_id(memory, Side::memory, file_);
  Selection s = select(id_, start, count, elements, file_, what);
  check(H5Dwrite(id_, type, s.memory_space, s.file_space, H5P_DEFAULT, data), file_, what);
}

void Dataset::read_raw(DataType memory, const Dims* start, const Dims* count, void* data, std::size_t elements) const {
  quiet();
  const std::function<std::string()> what = [&] { return "cannot read " + description(); };
  Handle type = type_id(memory, Side::memory, file_);
  Selection s = select(id_, start, count, elements, file_, what);
  check(H5Dread(id_, type, s.memory_space, s.file_space, H5P_DEFAULT, data), file_, what);
}

void Dataset::write(const std::vector<std::string>& values) {
  quiet();
  const std::function<std::string()> what = [&] { return "cannot write " + description(); };
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const auto& v : values) pointers.push_back(v.c_str());
  Handle type = string_type(Traits<std::string>::type, file_);
  Handle transfer = string_transfer(values.size(), file_);
  select(id_, nullptr, nullptr, values.size(), file_, what);
  check(H5Dwrite(id_, type, H5S_ALL, H5S_ALL, transfer, pointers.data()), file_, what);
}

std::vector<std::string> Dataset::read_strings() const {
  quiet();
  const std::function<std::string()> what = [&] { return "cannot read " + description(); };
  std::vector<char*> pointers(elements(shape()), nullptr);
  Handle type = string_type(Traits<std::string>::type, file_);
  Handle transfer = string_transfer(pointers.size(), file_);
  check(H5Dread(id_, type, H5S_ALL, H5S_ALL, transfer, pointers.data()), file_, what);
  std::vector<std::string> values;
  values.reserve(pointers.size());
  for (const char* p : pointers) values.emplace_back(p ? p : "");
  Handle space(check(H5Dget_space(id_), file_, what), H5Sclose);
  H5Dvlen_reclaim(type, space, H5P_DEFAULT, pointers.data());
  return values;
}

void Dataset::write_chunk(std::span<const Extent> offset, std::span<const unsigned char> bytes) {
  quiet();
  check(H5Dwrite_chunk(id_, H5P_DEFAULT, 0, offset.data(), bytes.size(), bytes.data()), file_, [&] {
    std::string at;
    for (Extent o : offset) at += (at.empty() ? "" : ", ") + std::to_string(o);
    return "cannot write the chunk at (" + at + ") of " + description();
  });
}

std::vector<unsigned char> Dataset::read_chunk(std::span<const Extent> offset, std::uint32_t& skipped_filters) const {
  quiet();
  auto what = [&] { return "cannot read a chunk of " + description(); };
  hsize_t bytes = 0;
  check(H5Dget_chunk_storage_size(id_, offset.data(), &bytes), file_, what);
  std::vector<unsigned char> raw(bytes);
  check(H5Dread_chunk(id_, H5P_DEFAULT, offset.data(), &skipped_filters, raw.data()), file_, what);
  return raw;
}

void Dataset::make_scale(const std::string& name) {
  quiet();
  check(H5DSset_scale(id_, name.c_str()), file_, [&] { return "cannot make " + description() + " a dimension scale"; });
}

void Dataset::attach_scale(const Dataset& scale, unsigned axis) {
  quiet();
  check(H5DSattach_scale(id_, scale.id_, axis), file_, [&] {
    return "cannot attach dimension scale " + scale.name_ + " to axis " + std::to_string(axis) + " of " + description();
  });
}

// ---- File

// Reading a file whose writer may still be at work (SWMR), HDF5 retries a metadata read
// whose checksum fails, sleeping 1 ns, 2 ns, 4 ns... between tries, 100 tries by default:
// a file cut short (truncated, or copied while written) so fails for ever, and `info`
// slept past ten minutes on one. 24 tries sleep under 20 ms in all (2^23 ns), long enough for a
// writer to finish the block it was flushing, after which the read is refused.
namespace {
constexpr unsigned swmr_read_attempts = 24;

Handle swmr_read_access(const std::string& file) {
  auto what = [] { return std::string("cannot make access properties for reading"); };
  Handle fapl(check(H5Pcreate(H5P_FILE_ACCESS), file, what), H5Pclose);
  check(H5Pset_metadata_read_attempts(fapl, swmr_read_attempts), file, what);
  return fapl;
}
}  // namespace

File File::create(const std::string& path, bool swmr) {
  quiet();
  auto what = [] { return std::string("cannot create the file"); };
  Handle access = swmr ? latest_format_access(path) : predefined(H5P_DEFAULT);
  return File(check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access), path, what), path);
}

File File::open(const std::string& path) {
  refuse_unreadable_input(path);  // before HDF5, which would wait on a FIFO for a writer
  quiet();
  auto what = [] { return std::string("cannot open the file for reading"); };
  hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id >= 0) return File(id, path);
  H5Eclear2(H5E_DEFAULT);
  const Handle access = swmr_read_access(path);
  id = H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, access);
  // Checked while `access` is open: closing it is a call to HDF5, which clears its error
  // stack, and the stack says why the file cannot be opened.
  return File(check(id, path, what), path);
}

File File::reopen_swmr(const std::string& path) {
  quiet();
  auto what = [] { return std::string("cannot reopen the file for writing"); };
  Handle access = latest_format_access(path);
  // HDF5's own switch for clearing the status flags of a file whose writer died.
  hbool_t clear = true;
  if (H5Pexist(access, "clear_status_flags") > 0) check(H5Pset(access, "clear_status_flags", &clear), path, what);
  File file(check(H5Fopen(path.c_str(), H5F_ACC_RDWR, access), path, what), path);
  // A SWMR writer killed mid-write leaves data and the metadata pointing at it past the
  // end of allocation its superblock last recorded (HDF5 writes them in that order; the
  // superblock's end of allocation last): raised to the file's end, as `h5clear
  // --increment` does, the next write does not take those addresses for overflows.
  check(H5Fincrement_filesize(file.id_, 0), path, [] { return std::string("cannot restore the file's end of allocation"); });
  return file;
}

void File::start_swmr_write() {
  quiet();
  check(H5Fstart_swmr_write(id_), file_, [] { return std::string("cannot start SWMR writing"); });
}

void File::flush() {
  quiet();
  check(H5Fflush(id_, H5F_SCOPE_GLOBAL), file_, [] { return std::string("cannot flush the file"); });
}

std::vector<std::string> File::names() const {
  quiet();
  std::vector<std::string> names;
  check(H5Literate(
            id_, H5_INDEX_NAME, H5_ITER_INC, nullptr,
            [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
              static_cast<std::vector<std::string>*>(out)->emplace_back(name);
              return 0;
            },
            &names),
        file_, [] { return std::string("cannot list the file's objects"); });
  return names;
}

bool File::contains(const std::string& name) const {
  quiet();
  return check(H5Lexists(id_, name.c_str(), H5P_DEFAULT), file_, [&] { return "cannot look for " + name; }) > 0;
}

Dataset File::dataset(const std::string& name) const {
  quiet();
  return Dataset(check(H5Dopen2(id_, name.c_str(), H5P_DEFAULT), file_, [&] { return "cannot open dataset " + name; }),
                 file_, name);
}

Dataset File::create_dataset(const std::string& name, DataType type, const Dims& dims, const Layout& layout) {
  quiet();
  const std::function<std::string()> what = [&] { return "cannot create dataset " + name; };
  Handle space(check(dims.empty() ? H5Screate(H5S_SCALAR)
                               : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                     file_, what),
               H5Sclose);
  Handle props(check(H5Pcreate(H5P_DATASET_CREATE), file_, what), H5Pclose);
  if (!layout.chunk.empty()) {
    check(H5Pset_chunk(props, static_cast<int>(layout.chunk.size()), layout.chunk.data()), file_, what);
    if (layout.shuffle == Shuffle::yes) check(H5Pset_shuffle(props), file_, what);
    check(H5Pset_deflate(props, deflate_level), file_, what);
  }
  if (layout.fill == Fill::nan) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    check(H5Pset_fill_value(props, H5T_NATIVE_DOUBLE, &nan), file_, what);
  }
  Handle stored = type_id(type, Side::file, file_);
  return Dataset(check(H5Dcreate2(id_, name.c_str(), stored, space, H5P_DEFAULT, props, H5P_DEFAULT), file_, what),
                 file_, name);
}

}  // namespace stackrace::h5
