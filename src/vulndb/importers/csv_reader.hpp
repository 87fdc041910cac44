// Internal: an RFC 4180 CSV reader for the feed importers (quoted fields holding separators,
// doubled quotes and line breaks; CRLF or LF line ends; an optional UTF-8 byte-order mark).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace vigil::vulndb::csv {

// Reads records one at a time from `text`, which must outlive the reader. Not thread-safe.
class Reader {
 public:
  explicit Reader(std::string_view text, char separator = ',');

  // Reads the next record into `fields` (cleared first; quotes removed, "" unescaped). Blank
  // lines are skipped. Returns false at the end of the input, or kParse naming the line for a
  // quoted field that is never closed or is followed by text other than a separator or line end.
  [[nodiscard]] Result<bool> next(std::vector<std::string>& fields);

  // The 1-based line on which the record last returned by `next` starts.
  size_t line() const { return record_line_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  size_t line_ = 1;
  size_t record_line_ = 0;
  char separator_;
};

}  // namespace vigil::vulndb::csv
