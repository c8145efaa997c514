#pragma once
// Long texts a file keeps (the resolved scenario, a sweep's or a calibration's file) as
// scalar string datasets, not attributes: netCDF tools print every attribute whole
// (`ncdump -h`, xarray's repr), and a resolved scenario runs to 140 KB.
#include <string>

#include "sim/io/hdf5.hpp"

namespace stackrace {

// A scalar variable-length UTF-8 dataset `name` holding `text`, with its long_name.
h5::Dataset write_text(h5::File& file, const std::string& name, const std::string& text, const std::string& long_name);
// The text of a dataset write_text wrote; "" where the file has no such dataset.
std::string read_text(const h5::File& file, const std::string& name);

}  // namespace stackrace
