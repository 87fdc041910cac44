// A private temporary directory (mkdtemp, mode 0700) removed with everything in it when the
// owner goes away. Vigil never creates symlinks in it, so removal cannot follow one out.
#pragma once

#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "core/result.hpp"

namespace vigil::sources::internal {

class ScratchDir {
 public:
  // Creates "vigil-<purpose>-XXXXXX" under `parent` (the system temp directory when empty).
  [[nodiscard]] static Result<std::unique_ptr<ScratchDir>> create(std::filesystem::path parent,
                                                                  std::string_view purpose) {
    std::error_code ec;
    if (parent.empty()) {
      parent = std::filesystem::temp_directory_path(ec);
      if (ec) {
        parent = "/tmp";
      }
    }
    std::string pattern = (parent / ("vigil-" + std::string(purpose) + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return fail(Error::io("cannot create a scratch directory in {}: {}", parent.string(),
                            std::error_code(errno, std::generic_category()).message()));
    }
    return std::unique_ptr<ScratchDir>(new ScratchDir(pattern));
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  const std::filesystem::path& path() const { return path_; }

  // A fresh file name inside the directory ("<stem>-<n>"), never derived from archive content.
  std::filesystem::path next_file(std::string_view stem) {
    return path_ / (std::string(stem) + "-" + std::to_string(++counter_));
  }

 private:
  explicit ScratchDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
  uint64_t counter_ = 0;
};

}  // namespace vigil::sources::internal
