// Test support for the feed importer tests: shared reference files read through the source
// reader (so .gz files arrive decompressed, as in a real import) and a parse helper.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vulndb/importer.hpp"
#include "vulndb/source_reader.hpp"

namespace vigil::vulndb::testing_files {

inline std::filesystem::path shared_data(const std::string& relative) {
  return std::filesystem::path(VIGIL_SHARED_DIR) / "data" / relative;
}

// Every file under shared `relative` (a file, directory or archive), or nullopt when the shared
// data is absent (the caller skips the test).
inline std::optional<std::vector<SourceFile>> load_all(const std::string& relative) {
  const auto path = shared_data(relative);
  if (!std::filesystem::exists(path)) {
    return std::nullopt;
  }
  std::vector<SourceFile> files;
  const auto read = read_source(path, ReadLimits{}, [&](SourceFile&& file) -> Result<void> {
    files.push_back(std::move(file));
    return {};
  });
  if (!read) {
    return std::nullopt;
  }
  return files;
}

// The single file at shared `relative`, decompressed; nullopt when absent.
inline std::optional<SourceFile> load(const std::string& relative) {
  auto files = load_all(relative);
  if (!files || files->size() != 1) {
    return std::nullopt;
  }
  return std::move(files->front());
}

}  // namespace vigil::vulndb::testing_files
