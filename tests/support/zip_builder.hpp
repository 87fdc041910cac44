// Test support: builds zip archives (jars, eggs) in memory with libarchive.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace vigil::testing {

// Returns a zip archive holding `files` (path, content) in order. Aborts on libarchive errors,
// which only a broken test could cause.
inline std::string make_zip(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out;
  archive* writer = archive_write_new();
  archive_write_set_format_zip(writer);
  const auto write = [](archive*, void* client, const void* data, size_t size) -> la_ssize_t {
    static_cast<std::string*>(client)->append(static_cast<const char*>(data), size);
    return static_cast<la_ssize_t>(size);
  };
  if (archive_write_open(writer, &out, nullptr, write, nullptr) != ARCHIVE_OK) {
    std::abort();
  }
  for (const auto& [path, content] : files) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, path.c_str());
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_size(entry, static_cast<la_int64_t>(content.size()));
    if (archive_write_header(writer, entry) != ARCHIVE_OK ||
        archive_write_data(writer, content.data(), content.size()) !=
            static_cast<la_ssize_t>(content.size())) {
      std::abort();
    }
    archive_entry_free(entry);
  }
  archive_write_close(writer);
  archive_write_free(writer);
  return out;
}

}  // namespace vigil::testing
