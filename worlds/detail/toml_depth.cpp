#include "worlds/detail/toml_depth.hpp"

#include <vector>

namespace stackrace::detail {
namespace {

// A scan of TOML text that tracks the depth of what is being written: the table a header
// opened, then the keys and containers inside it.
class DepthScan {
 public:
  explicit DepthScan(std::string_view text) : text_(text) {}

  std::optional<TextPosition> run() {
    while (i_ < text_.size() && !deepest_) step();
    return deepest_;
  }

 private:
  struct Open {
    char kind;  // '[' (an array) or '{' (an inline table)
    int depth;  // the depth of the container itself
  };

  void step() {
    const char ch = text_[i_];
    if (ch == '\n') return newline();
    if (ch == '#') return skip_comment();
    if (ch == '"' || ch == '\'') return skip_string(ch);
    if (in_key_) key_char(ch);
    else value_char(ch);
    advance();
  }

  void key_char(char ch) {
    if (ch == '[' && open_.empty() && !in_header_ && key_depth_ == 0) {
      in_header_ = true;  // `[` or `[[`: a table header, whose depth is its dots
      if (i_ + 1 < text_.size() && text_[i_ + 1] == '[') advance();
    } else if (ch == ']' && in_header_) {
      in_header_ = false;
      table_depth_ = key_depth_ + 1;
      key_depth_ = 0;
      check(table_depth_);
    } else if (ch == '.') {
      ++key_depth_;
      check((in_header_ ? 0 : container_depth()) + key_depth_);  // a header's path is from the root
    } else if (ch == '=' && !in_header_) {
      in_key_ = false;
      value_depth_ = container_depth() + key_depth_ + 1;
      check(value_depth_);
    }
  }

  void value_char(char ch) {
    if (ch == '[' || ch == '{') {
      open_.push_back({ch, value_depth_});
      in_key_ = ch == '{';
      key_depth_ = 0;
      value_depth_ += 1;  // an array's elements
      check(value_depth_);
    } else if ((ch == ']' || ch == '}') && !open_.empty()) {
      open_.pop_back();
    } else if (ch == ',' && !open_.empty()) {
      in_key_ = open_.back().kind == '{';
      key_depth_ = 0;
      value_depth_ = open_.back().depth + 1;
    }
  }

  // The depth of the table or inline table whose keys are being written.
  int container_depth() const { return open_.empty() ? table_depth_ : open_.back().depth; }

  void check(int depth) {
    if (depth > deepest_nesting) deepest_ = TextPosition{line_, column_};
  }

  void newline() {
    advance();
    ++line_;
    column_ = 1;
    // A statement ends at its line's end unless an array it opened goes on.
    if (open_.empty()) in_key_ = true, in_header_ = false, key_depth_ = 0;
  }

  void skip_comment() {
    while (i_ < text_.size() && text_[i_] != '\n') advance();
  }

  // A basic ("...", with escapes) or literal ('...') string, single- or multi-line: a key
  // or a value, whose dots and brackets are text.
  void skip_string(char quote) {
    const bool triple = at_triple(quote);
    const std::size_t quotes = triple ? 3 : 1;
    for (std::size_t q = 0; q < quotes; ++q) advance();
    while (i_ < text_.size()) {
      const char ch = text_[i_];
      if (ch == '\\' && quote == '"') {
        advance();
        if (i_ < text_.size()) text_[i_] == '\n' ? newline_in_string() : advance();
      } else if (ch == quote && (!triple || at_triple(quote))) {
        for (std::size_t q = 0; q < quotes; ++q) advance();
        return;
      } else if (ch == '\n') {
        if (!triple) return;  // an unterminated string: the parser says so
        newline_in_string();
      } else {
        advance();
      }
    }
  }

  bool at_triple(char quote) const { return text_.substr(i_, 3) == (quote == '"' ? "\"\"\"" : "'''"); }

  void newline_in_string() {
    advance();
    ++line_;
    column_ = 1;
  }

  void advance() {
    ++i_;
    ++column_;
  }

  std::string_view text_;
  std::size_t i_ = 0, line_ = 1, column_ = 1;
  bool in_key_ = true, in_header_ = false;
  int table_depth_ = 0;  // the table the last header opened (0: the root)
  int key_depth_ = 0;    // dots so far in the key being written
  int value_depth_ = 0;  // the depth of the value being written
  std::vector<Open> open_;
  std::optional<TextPosition> deepest_;
};

}  // namespace

std::optional<TextPosition> too_deeply_nested(std::string_view text) { return DepthScan(text).run(); }

}  // namespace stackrace::detail
