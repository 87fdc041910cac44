#include "vulndb/importers/csv_reader.hpp"

namespace vigil::vulndb::csv {

Reader::Reader(std::string_view text, char separator) : text_(text), separator_(separator) {
  if (text_.starts_with("\xEF\xBB\xBF")) {
    pos_ = 3;
  }
}

Result<bool> Reader::next(std::vector<std::string>& fields) {
  fields.clear();
  // Blank lines carry no record.
  while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    if (text_[pos_] == '\n') {
      ++line_;
    }
    ++pos_;
  }
  if (pos_ >= text_.size()) {
    return false;
  }
  record_line_ = line_;
  std::string field;
  while (true) {
    field.clear();
    if (pos_ < text_.size() && text_[pos_] == '"') {
      const size_t open_line = line_;
      ++pos_;
      while (true) {
        const size_t quote = text_.find('"', pos_);
        if (quote == std::string_view::npos) {
          return fail(Error::parse("line {}: quoted field is never closed", open_line));
        }
        const std::string_view chunk = text_.substr(pos_, quote - pos_);
        for (char c : chunk) {
          line_ += c == '\n' ? 1 : 0;
        }
        field += chunk;
        pos_ = quote + 1;
        if (pos_ < text_.size() && text_[pos_] == '"') {  // RFC 4180 2.7: "" is one quote
          field += '"';
          ++pos_;
          continue;
        }
        break;
      }
      if (pos_ < text_.size() && text_[pos_] != separator_ && text_[pos_] != '\n' &&
          text_[pos_] != '\r') {
        return fail(Error::parse("line {}: text after the closing quote of a field", line_));
      }
    } else {
      size_t end = pos_;
      while (end < text_.size() && text_[end] != separator_ && text_[end] != '\n' &&
             text_[end] != '\r') {
        ++end;
      }
      field.assign(text_.substr(pos_, end - pos_));
      pos_ = end;
    }
    fields.push_back(std::move(field));
    if (pos_ >= text_.size()) {
      return true;
    }
    if (text_[pos_] == separator_) {
      ++pos_;
      continue;
    }
    // Line end: CRLF or LF (a lone CR is accepted too).
    if (text_[pos_] == '\r') {
      ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] == '\n') {
      ++pos_;
    }
    ++line_;
    return true;
  }
}

}  // namespace vigil::vulndb::csv
