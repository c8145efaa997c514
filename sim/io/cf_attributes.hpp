#pragma once
// The attributes of the CF conventions (1.10, cfconventions.org) that every file stackrace
// writes carries, so that netCDF tools (xarray, netCDF4-python, ncdump, Panoply) read it
// as they read any other: the global ones, each variable's long_name and units, flag
// values, fill values and auxiliary coordinates. Text attributes are netCDF's char type,
// as netCDF's own library writes them (h5::Object::write_char_attribute).
#include <map>
#include <span>
#include <string>
#include <vector>

#include "sim/io/hdf5.hpp"

namespace stackrace::cf {

inline constexpr const char* conventions = "CF-1.10";

// The moment a file is written, as its `created` attribute and its history give it:
// YYYY-MM-DDTHH:MM:SSZ.
std::string utc_now();

// Conventions, title, history (when, and by which stackrace and command: CF's audit
// trail) and source.
void write_global_attributes(h5::File& file, const std::string& title, const std::string& created,
                             const std::string& command);

// A variable's long_name, and its units where it holds numbers (UDUNITS' spelling: "1"
// for a share, a count or an index). Labels (text) have no units.
void describe(h5::Dataset& variable, const std::string& long_name, const std::string& units = "");

// A variable whose values stand for states (a run's status): CF's flag_values, of the
// variable's type, and flag_meanings, one word for each, separated by spaces.
template <h5::Plain T>
void write_flags(h5::Dataset& variable, std::span<const T> values, const std::string& meanings) {
  variable.write_attribute("flag_values", values);
  variable.write_char_attribute("flag_meanings", meanings);
}

// _FillValue NaN, of the variable's type: what a floating-point variable created with
// h5::Fill::nan reads where nothing was written (pending runs, kinds without agents).
void write_nan_fill(h5::Dataset& variable, h5::DataType type);

// Each variable's `coordinates` attribute (CF 5): the auxiliary coordinates whose
// dimensions are all among its own, so that xarray and netCDF tools attach them (a
// country's name and region to every variable over countries). `dims`: every variable's
// dimensions by name; `auxiliary`: the auxiliary coordinates, in the order to list them.
void write_coordinates(h5::File& file, const std::map<std::string, std::vector<std::string>>& dims,
                       const std::vector<std::string>& auxiliary);

}  // namespace stackrace::cf
