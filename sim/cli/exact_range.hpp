#pragma once
#include <cstdint>

#include <CLI/CLI.hpp>

namespace stackrace::cli {

// An option's text must be a whole number in [lo, hi], read exactly. CLI::Range is not
// enough for a std::int64_t option: it compares the converted value, and CLI11 converts
// a number beyond 64 bits to INT64_MAX, so `--seed 9223372036854775808` passed a range
// that ends there and ran with another seed than the one given. Messages read as
// CLI::Range's.
CLI::Validator exact_range(std::int64_t lo, std::int64_t hi);

}  // namespace stackrace::cli
