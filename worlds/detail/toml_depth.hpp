#pragma once
// How deep a TOML text's keys nest, found before toml++ parses it. toml++ recurses once
// for each level of a dotted key or table header (`a.b.c = 1`, `[a.b.c]`) and overflows
// the stack at some 35,000 levels: a segmentation fault, not a parse error, which its own
// limit on nested values (256, for arrays and inline tables) does not prevent. No
// scenario, sweep or calibration nests more than a few levels.
#include <cstddef>
#include <optional>
#include <string_view>

namespace stackrace::detail {

// As toml++'s own limit on nested arrays and inline tables.
inline constexpr int deepest_nesting = 256;

struct TextPosition {
  std::size_t line = 1;    // 1-based
  std::size_t column = 1;  // 1-based, in bytes
};

// Where the text first nests deeper than deepest_nesting levels (a table header, a dotted
// key, arrays and inline tables, each adding its levels to those it is written in), or
// nullopt. Reads the text as TOML only as far as it needs to: strings and comments are
// skipped, dots count only in keys. Text that is no TOML at all is left to the parser.
std::optional<TextPosition> too_deeply_nested(std::string_view text);

}  // namespace stackrace::detail
