#include <catch2/catch.hpp>

#include <string>

#include "worlds/detail/toml_depth.hpp"

using stackrace::detail::deepest_nesting;
using stackrace::detail::too_deeply_nested;

namespace {

// A dotted key of `parts` parts: `k.k.k = 1`.
std::string dotted(int parts, const std::string& head = "k") {
  std::string key = head;
  for (int i = 1; i < parts; ++i) key += ".k";
  return key;
}

}  // namespace

TEST_CASE("keys nested deeper than toml++ can parse are found before it parses them", "[scenario][toml_depth]") {
  SECTION("a dotted key: each part a level") {
    CHECK_FALSE(too_deeply_nested(dotted(deepest_nesting) + " = 1\n"));
    const auto at = too_deeply_nested("# a comment\n" + dotted(deepest_nesting + 1) + " = 1\n");
    REQUIRE(at);
    CHECK(at->line == 2);
    CHECK(at->column == 2 * (deepest_nesting + 1) + 1);  // its `=`: the value one level too deep
  }
  SECTION("a table header, and the keys written under it") {
    CHECK(too_deeply_nested("[" + dotted(deepest_nesting + 1) + "]\n"));
    CHECK(too_deeply_nested("[[" + dotted(deepest_nesting + 1) + "]]\n"));
    CHECK_FALSE(too_deeply_nested("[" + dotted(200) + "]\n" + dotted(56) + " = 1\n"));
    CHECK(too_deeply_nested("[" + dotted(200) + "]\n" + dotted(57) + " = 1\n"));
    // Each header's path starts at the root, not in the table before it.
    CHECK_FALSE(too_deeply_nested("[" + dotted(200) + "]\na = 1\n[" + dotted(200, "j") + "]\nb = 1\n"));
  }
  SECTION("inline tables and arrays add their levels to the key they are the value of") {
    // The key's value is at level 250, the last inline key's at 256, then 257.
    CHECK_FALSE(too_deeply_nested(dotted(250) + " = { a = { b = { c = { d = { e = { f = 1 } } } } } }\n"));
    CHECK(too_deeply_nested(dotted(250) + " = { a = { b = { c = { d = { e = { f = { g = 1 } } } } } } }\n"));
    CHECK(too_deeply_nested("a = " + std::string(deepest_nesting + 1, '[') + std::string(deepest_nesting + 1, ']') + "\n"));
    CHECK(too_deeply_nested("a = [{ " + dotted(deepest_nesting) + " = 1 }]\n"));
  }
  SECTION("dots in values, strings and comments are no levels") {
    std::string floats = "values = [";
    for (int i = 0; i < 100'000; ++i) floats += "0.5, ";
    floats += "1.5]\n";
    CHECK_FALSE(too_deeply_nested(floats));
    const std::string many_dots = std::string(1000, '.');
    CHECK_FALSE(too_deeply_nested("a = \"" + many_dots + "\"\n\"" + many_dots + "\" = 1\n# " + many_dots + "\n"));
    CHECK_FALSE(too_deeply_nested("a = '''\n[" + many_dots + "\n'''\nb = \"\"\"\\\"\"\" " + many_dots + "\"\"\"\n"));
    CHECK_FALSE(too_deeply_nested("a = [\n  1.5, # " + many_dots + "\n  2.5,\n]\nb.c = 1\n"));
    CHECK_FALSE(too_deeply_nested("start = 2026-01-01T00:00:00.5\nx = \"a\\\\\"\ny." + dotted(deepest_nesting - 1) +
                                  " = 1\n"));
  }
}
