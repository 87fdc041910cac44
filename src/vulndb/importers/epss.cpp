#include "vulndb/importers/epss.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>

#include "core/strings.hpp"
#include "vulndb/importers/feed_util.hpp"

namespace vigil::vulndb {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr size_t kMaxColumns = 16;

// Splits `text` into lines without copying; a trailing '\r' is removed.
class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : text_(text) {}

  bool next(std::string_view& line) {
    if (pos_ >= text_.size()) {
      return false;
    }
    const size_t end = std::min(text_.find('\n', pos_), text_.size());
    line = text_.substr(pos_, end - pos_);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    pos_ = end + 1;
    ++number_;
    return true;
  }

  size_t number() const { return number_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  size_t number_ = 0;
};

// Splits `line` on `separator` into at most kMaxColumns fields; returns the field count.
size_t split_fields(std::string_view line, char separator,
                    std::array<std::string_view, kMaxColumns>& fields) {
  size_t count = 0;
  size_t start = 0;
  while (count < kMaxColumns) {
    const size_t end = line.find(separator, start);
    if (end == std::string_view::npos) {
      fields[count++] = line.substr(start);
      break;
    }
    fields[count++] = line.substr(start, end - start);
    start = end + 1;
  }
  return count;
}

std::optional<double> probability(std::string_view text) {
  text = trim(text);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value) ||
      value < 0.0 || value > 1.0) {
    return std::nullopt;
  }
  return value;
}

struct Layout {
  char separator = ',';
  size_t cve = 0;
  size_t epss = 1;
  std::optional<size_t> percentile;
  std::string score_date;
  std::string model_version;
  size_t header_lines = 0;  // comment and header lines before the first record
};

bool is_emba_row(std::string_view line) {
  const size_t semi = line.find(';');
  return semi != std::string_view::npos && feed::is_cve_id(line.substr(0, semi));
}

// "#model_version:v2023.03.01,score_date:2023-03-07T00:00:00+0000"
void read_comment(std::string_view line, Layout& layout) {
  line.remove_prefix(1);
  std::array<std::string_view, kMaxColumns> parts;
  const size_t count = split_fields(line, ',', parts);
  for (size_t index = 0; index < count; ++index) {
    const std::string_view part = trim(parts[index]);
    const size_t colon = part.find(':');
    if (colon == std::string_view::npos) {
      continue;
    }
    const std::string_view key = part.substr(0, colon);
    const std::string_view value = trim(part.substr(colon + 1));
    if (key == "model_version") {
      layout.model_version = std::string(value);
    } else if (key == "score_date") {
      layout.score_date = std::string(value.substr(0, 10));
    }
  }
}

// Reads the comment and header lines (none for the headerless EMBA layout).
Result<Layout> read_layout(std::string_view content, const std::string& file) {
  Layout layout;
  LineCursor lines(content);
  std::string_view line;
  if (!lines.next(line)) {
    return fail(Error::parse("{}: empty EPSS file", file));
  }
  if (is_emba_row(line)) {
    layout.separator = ';';
    layout.percentile = 2;
    return layout;
  }
  if (line.starts_with('#')) {
    read_comment(line, layout);
    ++layout.header_lines;
    if (!lines.next(line)) {
      return fail(Error::parse("{}: EPSS comment line without a header", file));
    }
  }
  std::array<std::string_view, kMaxColumns> names;
  const size_t count = split_fields(line, ',', names);
  std::optional<size_t> cve;
  std::optional<size_t> epss;
  for (size_t index = 0; index < count; ++index) {
    const std::string_view name = trim(names[index]);
    if (name == "cve") {
      cve = index;
    } else if (name == "epss") {
      epss = index;
    } else if (name == "percentile") {
      layout.percentile = index;
    }
  }
  if (!cve || !epss) {
    return fail(Error::parse("{}: EPSS header '{}' lacks the cve and epss columns", file, line));
  }
  layout.cve = *cve;
  layout.epss = *epss;
  ++layout.header_lines;
  return layout;
}

bool is_epss(std::string_view content) {
  if (content.starts_with(kBom)) {
    content.remove_prefix(kBom.size());
  }
  LineCursor lines(content);
  std::string_view line;
  if (!lines.next(line)) {
    return false;
  }
  if (line.starts_with("#model_version") ||
      (line.starts_with('#') && line.find("score_date") != std::string_view::npos)) {
    if (!lines.next(line)) {
      return false;
    }
  } else if (is_emba_row(line)) {
    return true;
  }
  // A header naming the cve and epss columns (KEV's begins "cveID,", which is not "cve,").
  return line.starts_with("cve,") &&
         (line.find(",epss,") != std::string_view::npos || line.ends_with(",epss"));
}

class EpssImporter final : public Importer {
 public:
  std::string_view name() const override { return "epss"; }

  bool detects(const SourceFile& file) const override { return is_epss(file.content); }

  Result<void> parse(const SourceFile& file, ImportBatch& batch) const override {
    std::string_view content = file.content;
    if (content.starts_with(kBom)) {
      content.remove_prefix(kBom.size());
    }
    VIGIL_ASSIGN_OR_RETURN(const Layout layout, read_layout(content, file.name));
    const size_t needed = std::max({layout.cve, layout.epss, layout.percentile.value_or(0)}) + 1;
    batch.epss.reserve(batch.epss.size() +
                       static_cast<size_t>(std::count(content.begin(), content.end(), '\n')) + 1);
    feed::RecordLog log(file, batch);
    LineCursor lines(content);
    std::string_view line;
    for (size_t skipped = 0; skipped < layout.header_lines; ++skipped) {
      lines.next(line);
    }
    std::array<std::string_view, kMaxColumns> fields;
    while (lines.next(line)) {
      if (trim(line).empty()) {
        continue;
      }
      const size_t count = split_fields(line, layout.separator, fields);
      if (count < needed) {
        log.skip(fmt::format("line {}", lines.number()),
                 fmt::format("{} columns, {} expected", count, needed));
        continue;
      }
      const std::string_view cve = trim(fields[layout.cve]);
      const auto epss = probability(fields[layout.epss]);
      const auto percentile =
          layout.percentile ? probability(fields[*layout.percentile]) : std::optional<double>(0.0);
      if (!feed::is_cve_id(cve) || !epss || !percentile) {
        log.skip(fmt::format("line {}", lines.number()),
                 fmt::format("malformed EPSS row '{}'", line.substr(0, 80)));
        continue;
      }
      // Built in place: the strings fit the small-string buffer, so no allocation per row.
      auto& score = batch.epss.emplace_back();
      score.cve_id.assign(cve);
      score.epss = *epss;
      score.percentile = *percentile;
      score.score_date = layout.score_date;
      score.model_version = layout.model_version;
    }
    log.finish();
    return {};
  }
};

}  // namespace

std::unique_ptr<Importer> make_epss_importer() { return std::make_unique<EpssImporter>(); }

}  // namespace vigil::vulndb
