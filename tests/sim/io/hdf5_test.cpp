#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <hdf5.h>  // to count HDF5's open ids from outside the layer
#include <sys/stat.h>
#include <unistd.h>

#include "sim/io/hdf5.hpp"
#include "sim/io/output_error.hpp"
#include "sim/io/output_path.hpp"
#include "sim/io/result_file.hpp"
#include "sim/io/result_file_reader.hpp"

using namespace stackrace;

namespace {

std::string scratch(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("stackrace_hdf5_" + name)).string();
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// What `body` writes to stderr (file descriptor 2, where HDF5 prints its error stack).
template <class Body>
std::string stderr_of(Body body) {
  const std::string path = scratch("stderr.txt");
  std::fflush(stderr);
  const int saved = dup(2);
  std::FILE* capture = std::fopen(path.c_str(), "w");
  dup2(fileno(capture), 2);
  body();
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  std::fclose(capture);
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(path);
  return text;
}

// The OutputError `body` throws (failing the test if it throws none).
template <class Body>
OutputError error_of(Body body) {
  try {
    body();
  } catch (const OutputError& e) {
    return e;
  }
  FAIL("no OutputError");
  return OutputError("", "");
}

}  // namespace

TEST_CASE("datasets and attributes are written and read by type", "[hdf5]") {
  const std::string path = scratch("typed.h5");
  {
    h5::File file = h5::File::create(path);
    h5::Dataset counts = file.create_dataset<std::int64_t>("counts", {2, 3});
    counts.write(std::vector<std::int64_t>{1, 2, 3, 4, 5, 6});
    counts.write(std::vector<std::int64_t>{-7, -8}, {1, 1}, {1, 2});
    counts.write_element(std::int64_t{40}, {0, 2});
    h5::Dataset flags = file.create_dataset<std::int8_t>("flags", {4});
    flags.write(std::vector<std::int8_t>{0, 1, 2, -1});
    h5::Dataset shares = file.create_dataset<float>("shares", {3, 4}, {{1, 4}, Shuffle::no, h5::Fill::nan});
    shares.write(std::vector<float>{0.25f, 0.5f, 0.125f, 1.0f}, {1, 0}, {1, 4});
    h5::Dataset names = file.create_dataset<std::string>("names", {3});
    names.write(std::vector<std::string>{"Côte d'Ivoire", "", "United States"});
    h5::Dataset errors = file.create_dataset<h5::FixedString<8>>("errors", {2}, {{2}});
    errors.write_element(h5::FixedString<8>("a message longer than 8 bytes"), {1});
    file.write_attribute("format_version", std::int64_t{7});
    file.write_attribute("format", "stackrace");
    shares.write_attribute("scale", 1.5);
    CHECK(shares.chunk_shape() == h5::Dims{1, 4});
    CHECK(counts.chunk_shape().empty());
    file.close();
  }
  const h5::File file = h5::File::open(path);
  CHECK(file.names() == std::vector<std::string>{"counts", "errors", "flags", "names", "shares"});
  CHECK(file.contains("names"));
  CHECK_FALSE(file.contains("nothing"));
  const h5::Dataset counts = file.dataset("counts");
  CHECK(counts.shape() == h5::Dims{2, 3});
  CHECK(counts.read<std::int64_t>() == std::vector<std::int64_t>{1, 2, 40, 4, -7, -8});
  CHECK(counts.read<std::int64_t>({1, 0}, {1, 2}) == std::vector<std::int64_t>{4, -7});
  CHECK(file.dataset("flags").read<std::int8_t>() == std::vector<std::int8_t>{0, 1, 2, -1});
  const std::vector<float> shares = file.dataset("shares").read<float>();
  CHECK(std::isnan(shares[0]));  // rows never written read as the fill value
  CHECK(shares[4] == 0.25f);
  CHECK(shares[7] == 1.0f);
  CHECK(file.dataset("names").read<std::string>() ==
        std::vector<std::string>{"Côte d'Ivoire", "", "United States"});
  const std::vector<h5::FixedString<8>> errors = file.dataset("errors").read<h5::FixedString<8>>();
  CHECK(errors[0].str().empty());
  CHECK(errors[1].str() == "a messa");  // cut to 7 bytes and the null
  CHECK(file.read_attribute<std::int64_t>("format_version") == 7);
  CHECK(file.read_attribute<std::string>("format") == "stackrace");
  CHECK(file.dataset("shares").read_attribute<double>("scale") == 1.5);
  CHECK(file.has_attribute("format"));
  CHECK_FALSE(file.has_attribute("nothing"));
  std::filesystem::remove(path);
}

TEST_CASE("netCDF's shapes: char attributes, array attributes, scalar datasets, char arrays", "[hdf5]") {
  const std::string path = scratch("netcdf_shapes.h5");
  {
    h5::File file = h5::File::create(path);
    h5::Dataset text = file.create_dataset<std::string>("text", {});
    text.write(std::vector<std::string>{"a long text"});
    text.write_char_attribute("units", "days since 2026-01-01 00:00:00");
    text.write_char_attribute("empty", "");
    const std::vector<std::int8_t> flags{0, 1, 2};
    text.write_attribute("flag_values", std::span(flags));
    h5::Dataset chars = file.create_dataset<char>("chars", {2, 4});
    chars.write(std::vector<char>{'a', 'b', 'c', 'd'}, {1, 0}, {1, 4});
    file.close();
  }
  const h5::File file = h5::File::open(path);
  const h5::Dataset text = file.dataset("text");
  CHECK(text.shape().empty());
  CHECK(text.read<std::string>() == std::vector<std::string>{"a long text"});
  CHECK(text.read_attribute<std::string>("units") == "days since 2026-01-01 00:00:00");
  CHECK(text.read_attribute<std::string>("empty").empty());
  // Stored as netCDF stores its char attributes: fixed-length, not variable-length.
  const hid_t raw = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t units = H5Aopen_by_name(raw, "text", "units", H5P_DEFAULT, H5P_DEFAULT);
  const hid_t type = H5Aget_type(units);
  CHECK(H5Tis_variable_str(type) == 0);
  CHECK(H5Tget_size(type) == 30);
  const hid_t flag_values = H5Aopen_by_name(raw, "text", "flag_values", H5P_DEFAULT, H5P_DEFAULT);
  const hid_t space = H5Aget_space(flag_values);
  hsize_t length = 0;
  CHECK(H5Sget_simple_extent_dims(space, &length, nullptr) == 1);
  CHECK(length == 3);
  H5Sclose(space);
  H5Aclose(flag_values);
  H5Tclose(type);
  H5Aclose(units);
  H5Fclose(raw);
  CHECK(file.dataset("chars").read<char>() == std::vector<char>{0, 0, 0, 0, 'a', 'b', 'c', 'd'});
  std::filesystem::remove(path);
}

TEST_CASE("a box of the wrong size is refused before HDF5 reads past the values", "[hdf5]") {
  const std::string path = scratch("box.h5");
  {
    h5::File file = h5::File::create(path);
    h5::Dataset counts = file.create_dataset<std::int64_t>("counts", {2, 3});
    CHECK_THROWS_AS(counts.write(std::vector<std::int64_t>{1, 2}), std::invalid_argument);
    CHECK_THROWS_AS(counts.write(std::vector<std::int64_t>{1, 2}, {0, 0}, {1, 3}), std::invalid_argument);
    CHECK_THROWS_AS(counts.write(std::vector<std::int64_t>{1, 2}, {0}, {2}), std::invalid_argument);
  }
  std::filesystem::remove(path);
}

TEST_CASE("an HDF5 failure names the file and the operation and carries HDF5's own error stack", "[hdf5]") {
  SECTION("opening a file that is not HDF5") {
    const std::string path = scratch("notes.h5");
    write_text(path, "not an HDF5 file\n");
    std::string message;
    const std::string printed = stderr_of([&] {
      const OutputError e = error_of([&] { h5::File::open(path); });
      CHECK(e.path() == path);
      CHECK(e.fault() == OutputFault::failed);
      message = e.what();
    });
    CHECK(printed.empty());  // HDF5 printed nothing: its stack is in the message
    INFO(message);
    CHECK(message.starts_with(path + ": cannot open the file for reading; HDF5's error stack:\n"));
    CHECK(message.find("#000: ") != std::string::npos);
    CHECK(message.find("in H5Fopen(): unable to open file") != std::string::npos);
    CHECK(message.find("file signature not found") != std::string::npos);
    std::filesystem::remove(path);
  }
  SECTION("writing to a file opened for reading") {
    const std::string path = scratch("read_only.h5");
    h5::File::create(path).close();
    h5::File file = h5::File::open(path);
    std::string message;
    const std::string printed =
        stderr_of([&] { message = error_of([&] { file.write_attribute("x", std::int64_t{1}); }).what(); });
    CHECK(printed.empty());
    INFO(message);
    CHECK(message.starts_with(path + ": cannot write attribute x of the file; HDF5's error stack:\n"));
    CHECK(message.find("in H5Acreate2(): ") != std::string::npos);
    CHECK(message.find("no write intent on file") != std::string::npos);
    std::filesystem::remove(path);
  }
  SECTION("creating a file in a folder that does not exist, on another thread") {
    // Each thread has its own error stack, and its own printing to turn off.
    const std::string path = scratch("no_such_folder/out.h5");
    std::string message, printed;
    std::thread([&] { printed = stderr_of([&] { message = error_of([&] { h5::File::create(path); }).what(); }); }).join();
    CHECK(printed.empty());
    INFO(message);
    CHECK(message.starts_with(path + ": cannot create the file; HDF5's error stack:\n"));
    CHECK(message.find("in H5Fcreate(): ") != std::string::npos);
  }
}

TEST_CASE("each failure carries only its own stack: HDF5's is cleared once read", "[hdf5]") {
  const std::string path = scratch("twice.h5");
  {
    h5::File file = h5::File::create(path);
    const std::string first = error_of([&] { file.dataset("missing"); }).what();
    CHECK(first.find("H5Dopen2") != std::string::npos);
    file.create_dataset<std::int64_t>("x", {1});
    const std::string second = error_of([&] { file.create_dataset<std::int64_t>("x", {1}); }).what();
    INFO(second);
    CHECK(second.starts_with(path + ": cannot create dataset x; HDF5's error stack:\n"));
    CHECK(second.find("H5Dcreate2") != std::string::npos);
    CHECK(second.find("H5Dopen2") == std::string::npos);
  }
  std::filesystem::remove(path);
}

TEST_CASE("result files that cannot be taken are refused, with the path and the cause", "[hdf5][result_file]") {
  SECTION("a text file") {
    const std::string path = scratch("text.h5");
    write_text(path, "hello\n");
    const OutputError e = error_of([&] { ResultFileReader{path}; });
    CHECK(e.fault() == OutputFault::refused);
    CHECK(e.path() == path);
    CHECK(e.cause().find("H5Fopen") != std::string::npos);
    const OutputError resumed = error_of([&] { ResultWriter::reopen(path); });
    CHECK(resumed.fault() == OutputFault::refused);
    CHECK(resumed.cause().find("H5Fopen") != std::string::npos);
    std::filesystem::remove(path);
  }
  SECTION("an HDF5 file of something else") {
    const std::string path = scratch("foreign.h5");
    h5::File::create(path, true).close();
    for (const OutputError& e :
         {error_of([&] { ResultFileReader{path}; }), error_of([&] { ResultWriter::reopen(path); })}) {
      CHECK(e.fault() == OutputFault::refused);
      CHECK(std::string(e.what()) == path + ": not a stackrace result file (no format = \"stackrace\" attribute)");
    }
    std::filesystem::remove(path);
  }
  SECTION("no file") {
    const OutputError e = error_of([&] { ResultFileReader{scratch("nothing.h5")}; });
    CHECK(e.fault() == OutputFault::refused);
    CHECK(std::string(e.what()) == scratch("nothing.h5") + ": no such file");
  }
  SECTION("a FIFO, refused before HDF5 would wait on it for a writer") {
    const std::string path = scratch("fifo.h5");
    std::filesystem::remove(path);
    REQUIRE(mkfifo(path.c_str(), 0600) == 0);
    for (const OutputError& e : {error_of([&] { ResultFileReader{path}; }), error_of([&] { h5::File::open(path); })}) {
      CHECK(e.fault() == OutputFault::refused);
      CHECK(std::string(e.what()) == path + ": not a regular file (a FIFO)");
    }
    std::filesystem::remove(path);
  }
  SECTION("a folder") {
    const std::string path = scratch("folder.h5");
    std::filesystem::create_directory(path);
    const OutputError e = error_of([&] { ResultFileReader{path}; });
    CHECK(e.fault() == OutputFault::refused);
    CHECK(std::string(e.what()) == path + ": not a regular file (a folder)");
    std::filesystem::remove(path);
  }
  SECTION("a name longer than a file name may be") {
    const std::string path = scratch(std::string(300, 'x') + ".h5");
    const OutputError e = error_of([&] { ResultFileReader{path}; });
    CHECK(e.fault() == OutputFault::refused);
    CHECK(std::string(e.what()) == path + ": cannot read the file: File name too long");
  }
}

TEST_CASE("an output path the file system refuses by its name is refused, not left to HDF5", "[hdf5][result_file]") {
  const std::string too_long = scratch(std::string(300, 'x') + ".h5");
  const OutputError e = error_of([&] { refuse_special_output(too_long); });
  CHECK(e.fault() == OutputFault::refused);
  CHECK(std::string(e.what()) == too_long + ": the file system refuses the path: File name too long");
  const std::string a = scratch("loop_a.h5"), b = scratch("loop_b.h5");
  std::filesystem::remove(a), std::filesystem::remove(b);
  std::filesystem::create_symlink(b, a);
  std::filesystem::create_symlink(a, b);
  const OutputError loop = error_of([&] { refuse_special_output(a); });
  CHECK(loop.fault() == OutputFault::refused);
  CHECK(std::string(loop.what()) == a + ": the file system refuses the path: Too many levels of symbolic links");
  std::filesystem::remove(a), std::filesystem::remove(b);
  // A path that does not exist yet, or a regular file to overwrite, passes.
  CHECK_NOTHROW(refuse_special_output(scratch("not_yet.h5")));
}

TEST_CASE("no HDF5 id outlives its object, whether the calls succeed or fail", "[hdf5]") {
  // The ids open on files, datasets, groups, committed types and attributes (HDF5 has no
  // public count of dataspaces and property lists).
  auto open_ids = [] { return H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL); };
  const std::string path = scratch("ids.h5");
  const std::string text = scratch("ids.txt");
  write_text(text, "not HDF5\n");
  const ssize_t before = open_ids();
  CHECK(before == 0);
  {
    h5::File file = h5::File::create(path, true);
    h5::Dataset names = file.create_dataset<std::string>("names", {2});
    names.write(std::vector<std::string>{"a", "b"});
    names.write_attribute("long_name", "names");
    h5::Dataset errors = file.create_dataset<h5::FixedString<16>>("errors", {2}, {{2}});
    errors.write_element(h5::FixedString<16>("failed"), {0});
    h5::Dataset values = file.create_dataset<double>("values", {2, 2}, {{1, 2}, Shuffle::yes, h5::Fill::nan});
    values.attach_scale(names, 0);
    CHECK_THROWS_AS(values.write(std::vector<double>{1.0}, {0, 0}, {1, 2}), std::invalid_argument);
    CHECK_THROWS_AS(file.create_dataset<double>("values", {1}), OutputError);
    CHECK_THROWS_AS(file.dataset("missing"), OutputError);
    CHECK_THROWS_AS(names.read_attribute<std::string>("missing"), OutputError);
    file.start_swmr_write();
    CHECK_THROWS_AS(errors.read<std::int64_t>(), OutputError);  // no conversion from strings
    values.write(std::vector<double>{1.0, 2.0}, {1, 0}, {1, 2});
  }
  CHECK(open_ids() == before);
  CHECK_THROWS_AS(h5::File::open(text), OutputError);
  CHECK(open_ids() == before);
  {
    const h5::File file = h5::File::open(path);
    CHECK(file.dataset("names").read<std::string>() == std::vector<std::string>{"a", "b"});
    CHECK(file.dataset("errors").read<h5::FixedString<16>>()[0].str() == "failed");
  }
  CHECK(open_ids() == before);
  std::filesystem::remove(path);
  std::filesystem::remove(text);
}
