// The agent's on-disk spool: collected documents wait here, oldest first, until the service has
// taken them, so no collection is lost while the service is down or the agent restarts.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace vigil::agent {

// A directory of documents named by a 20-digit sequence number ("00000000000000000042.json"),
// so name order is arrival order whatever the clock does. Files are written atomically
// (temporary + rename); temporary files and other names are ignored. Not safe for two agents
// on one directory; one Spool per process.
class Spool {
 public:
  // Creates `directory` (and parents) when missing; kIo when it cannot. `max_documents` >= 1.
  [[nodiscard]] static Result<Spool> open(std::filesystem::path directory, size_t max_documents);

  // Adds `document` after the newest entry. When the spool then holds more than
  // `max_documents`, the oldest entries are deleted and their names returned (the caller warns).
  [[nodiscard]] Result<std::vector<std::string>> add(std::string_view document);

  // The entries' file names, oldest first. kIo when the directory cannot be listed.
  [[nodiscard]] Result<std::vector<std::string>> list() const;

  // Reads entry `name` (as returned by list()).
  [[nodiscard]] Result<std::string> read(const std::string& name) const;

  // Deletes entry `name` (after the service took it). Missing is not an error.
  [[nodiscard]] Result<void> remove(const std::string& name) const;

  // Moves entry `name` to `rejected/` beside the entries (the service refused it for good), so it
  // stops blocking the queue but stays available for inspection.
  [[nodiscard]] Result<void> reject(const std::string& name) const;

  const std::filesystem::path& directory() const { return directory_; }

 private:
  Spool(std::filesystem::path directory, size_t max_documents)
      : directory_(std::move(directory)), max_documents_(max_documents) {}

  std::filesystem::path directory_;
  size_t max_documents_;
};

}  // namespace vigil::agent
