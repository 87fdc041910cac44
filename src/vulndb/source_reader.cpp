#include "vulndb/source_reader.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <vector>

#include "vulndb/internal/zip_reader.hpp"

namespace vigil::vulndb {
namespace {

namespace fs = std::filesystem;

struct ArchiveCloser {
  void operator()(archive* handle) const { archive_read_free(handle); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveCloser>;

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool is_archive_name(std::string_view name) {
  for (std::string_view suffix : {".zip", ".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.bz2",
                                  ".tar.zst", ".txz"}) {
    if (ends_with(name, suffix)) {
      return true;
    }
  }
  return false;
}

bool has_compression_magic(std::string_view data) {
  return (data.size() >= 2 && data[0] == '\x1f' && data[1] == '\x8b') ||
         (data.size() >= 3 && data.substr(0, 3) == "BZh") ||
         (data.size() >= 6 && data.substr(0, 6) == "\xfd" "7zXZ\x00") ||
         (data.size() >= 4 && data.substr(0, 4) == "\x28\xb5\x2f\xfd");
}

std::string strip_compression_suffix(const std::string& name) {
  for (std::string_view suffix : {".gz", ".bz2", ".xz", ".zst"}) {
    if (ends_with(name, suffix)) {
      return name.substr(0, name.size() - suffix.size());
    }
  }
  return name;
}

Result<std::string> read_file(const fs::path& path, const ReadLimits& limits) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) {
    return fail(Error::io("{}: {}", path.string(), ec.message()));
  }
  if (size > limits.max_total_bytes) {
    return fail(Error::invalid_argument("{}: {} bytes exceeds the {}-byte limit", path.string(),
                                        size, limits.max_total_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(Error::io("{}: cannot open for reading", path.string()));
  }
  std::string data(size, '\0');
  in.read(data.data(), static_cast<std::streamsize>(size));
  if (static_cast<uint64_t>(in.gcount()) != size) {
    return fail(Error::io("{}: short read", path.string()));
  }
  return data;
}

// Reads the current entry's data, bounded by the file limit and the remaining total budget.
Result<std::string> read_entry(archive* handle, const std::string& name, const ReadLimits& limits,
                               uint64_t& total) {
  std::string data;
  thread_local std::vector<char> buffer(1 << 16);
  for (;;) {
    const la_ssize_t got = archive_read_data(handle, buffer.data(), buffer.size());
    if (got < 0) {
      return fail(Error::parse("{}: corrupt data: {}", name, archive_error_string(handle)));
    }
    if (got == 0) {
      break;
    }
    const auto count = static_cast<uint64_t>(got);
    if (data.size() + count > limits.max_file_bytes) {
      return fail(Error::invalid_argument("{}: decompressed size exceeds the {}-byte limit", name,
                                          limits.max_file_bytes));
    }
    total += count;
    if (total > limits.max_total_bytes) {
      return fail(Error::invalid_argument("{}: source exceeds the {}-byte total limit", name,
                                          limits.max_total_bytes));
    }
    data.append(buffer.data(), static_cast<size_t>(count));
  }
  return data;
}

Result<void> read_archive(const std::string& display, const std::string& data,
                          const ReadLimits& limits,
                          const std::function<Result<void>(SourceFile&&)>& visit) {
  if (data.size() > 4 && data.compare(0, 4, "PK\x03\x04") == 0) {
    VIGIL_ASSIGN_OR_RETURN(const auto outcome, internal::read_zip(display, data, limits, visit));
    if (outcome == internal::ZipOutcome::kDone) {
      return {};
    }
  }
  ArchivePtr handle(archive_read_new());
  archive_read_support_filter_all(handle.get());
  archive_read_support_format_zip(handle.get());
  archive_read_support_format_tar(handle.get());
  archive_read_support_format_gnutar(handle.get());
  if (archive_read_open_memory(handle.get(), data.data(), data.size()) != ARCHIVE_OK) {
    return fail(Error::parse("{}: not a readable archive: {}", display,
                             archive_error_string(handle.get())));
  }
  uint64_t total = 0;
  uint64_t files = 0;
  archive_entry* entry = nullptr;
  for (;;) {
    const int rc = archive_read_next_header(handle.get(), &entry);
    if (rc == ARCHIVE_EOF) {
      break;
    }
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      return fail(Error::parse("{}: corrupt archive: {}", display,
                               archive_error_string(handle.get())));
    }
    if (archive_entry_filetype(entry) != AE_IFREG) {
      continue;
    }
    if (++files > limits.max_files) {
      return fail(Error::invalid_argument("{}: more than {} files", display, limits.max_files));
    }
    const char* entry_name = archive_entry_pathname(entry);
    const std::string name = display + ":" + (entry_name != nullptr ? entry_name : "?");
    VIGIL_ASSIGN_OR_RETURN(auto content, read_entry(handle.get(), name, limits, total));
    VIGIL_TRY(visit(SourceFile{name, std::move(content)}));
  }
  return {};
}

Result<void> read_path(const fs::path& path, const ReadLimits& limits,
                       const std::function<Result<void>(SourceFile&&)>& visit) {
  std::error_code ec;
  const auto status = fs::symlink_status(path, ec);
  if (ec) {
    return fail(Error::io("{}: {}", path.string(), ec.message()));
  }
  if (fs::is_directory(status)) {
    std::vector<fs::path> children;
    for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      children.push_back(it->path());
    }
    if (ec) {
      return fail(Error::io("{}: {}", path.string(), ec.message()));
    }
    std::sort(children.begin(), children.end());
    for (const auto& child : children) {
      VIGIL_TRY(read_path(child, limits, visit));
    }
    return {};
  }
  if (!fs::is_regular_file(status)) {
    return {};  // symlinks, sockets, devices: never followed
  }
  const std::string name = path.string();
  VIGIL_ASSIGN_OR_RETURN(auto data, read_file(path, limits));
  if (is_archive_name(name)) {
    return read_archive(name, data, limits, visit);
  }
  if (has_compression_magic(data)) {
    const uint64_t compressed = data.size();
    VIGIL_ASSIGN_OR_RETURN(auto plain, maybe_decompress(std::move(data), name, limits));
    if (compressed > 0 && plain.size() / compressed > limits.max_ratio) {
      return fail(Error::invalid_argument("{}: compression ratio above {} (decompression bomb?)",
                                          name, limits.max_ratio));
    }
    // A compressed tarball without a tar suffix ("feed.tgz" renamed) still expands.
    if (plain.size() > 262 && plain.compare(257, 5, "ustar") == 0) {
      return read_archive(name, plain, limits, visit);
    }
    return visit(SourceFile{strip_compression_suffix(name), std::move(plain)});
  }
  if (data.size() > 4 && data.compare(0, 4, "PK\x03\x04") == 0) {
    return read_archive(name, data, limits, visit);
  }
  return visit(SourceFile{name, std::move(data)});
}

}  // namespace

Result<std::string> maybe_decompress(std::string data, const std::string& name,
                                     const ReadLimits& limits) {
  if (!has_compression_magic(data)) {
    return data;
  }
  ArchivePtr handle(archive_read_new());
  archive_read_support_filter_all(handle.get());
  archive_read_support_format_raw(handle.get());
  if (archive_read_open_memory(handle.get(), data.data(), data.size()) != ARCHIVE_OK) {
    return fail(Error::parse("{}: cannot decompress: {}", name, archive_error_string(handle.get())));
  }
  archive_entry* entry = nullptr;
  if (archive_read_next_header(handle.get(), &entry) != ARCHIVE_OK) {
    return fail(Error::parse("{}: cannot decompress: {}", name, archive_error_string(handle.get())));
  }
  uint64_t total = 0;
  return read_entry(handle.get(), name, limits, total);
}

Result<void> read_source(const std::filesystem::path& path, const ReadLimits& limits,
                         const std::function<Result<void>(SourceFile&&)>& visit) {
  return read_path(path, limits, visit);
}

}  // namespace vigil::vulndb
