// Blob sources for local images: an OCI layout directory, and tar archives (oci-archive and
// docker-archive). An archive is read twice at most: once for its member list and the small
// JSON members, once to extract the layer blobs that are not already cached. Members are
// written to generated scratch names, never to paths taken from the archive.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <fstream>
#include <set>
#include <system_error>
#include <utility>

#include "sources/digest.hpp"
#include "sources/internal/archive_util.hpp"
#include "sources/internal/blob_source.hpp"

namespace vigil::sources::internal {
namespace {

constexpr uint64_t kSmallMember = uint64_t{1} << 20;
constexpr uint64_t kMaxSmallTotal = uint64_t{64} << 20;
constexpr uint64_t kMaxMembers = 100000;
constexpr int kMaxLinkHops = 8;

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

Result<std::string> read_file_limited(const std::filesystem::path& path, uint64_t max_bytes,
                                      std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(Error::not_found("{}: {} is missing", what, path.string()));
  }
  std::string out;
  std::array<char, 64 * 1024> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    out.append(buffer.data(), static_cast<size_t>(in.gcount()));
    if (out.size() > max_bytes) {
      return fail(Error::invalid_argument("{}: larger than {} bytes", what, max_bytes));
    }
  }
  if (in.bad()) {
    return fail(Error::io("{}: read error on {}", what, path.string()));
  }
  return out;
}

Result<std::string> verified(std::string content, std::string_view digest, std::string_view what) {
  const std::string got = sha256_digest(content);
  if (got != digest) {
    return fail(Error::parse("{}: digest mismatch: the content hashes to {}", what, got));
  }
  return content;
}

std::string_view dir_of(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view{} : path.substr(0, slash);
}

class DirectorySource final : public BlobSource {
 public:
  explicit DirectorySource(std::filesystem::path dir) : dir_(std::move(dir)) {}

  Result<std::string> read_blob(std::string_view digest, uint64_t max_bytes) override {
    VIGIL_TRY(check_sha256_digest(digest));
    const std::string what = fmt::format("blob {}", digest);
    VIGIL_ASSIGN_OR_RETURN(std::string content,
                           read_file_limited(path_of(digest), max_bytes, what));
    return verified(std::move(content), digest, what);
  }

  Result<std::filesystem::path> blob_file(std::string_view digest) override {
    VIGIL_TRY(check_sha256_digest(digest));
    auto path = path_of(digest);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      return fail(Error::not_found("blob {}: {} is missing", digest, path.string()));
    }
    return path;
  }

  std::optional<std::filesystem::path> existing_file(std::string_view digest) const override {
    if (!check_sha256_digest(digest)) {
      return std::nullopt;
    }
    auto path = path_of(digest);
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec) ? std::optional(path) : std::nullopt;
  }

 private:
  std::filesystem::path path_of(std::string_view digest) const {
    return dir_ / "blobs" / "sha256" / std::string(digest_hex(digest));
  }
  std::filesystem::path dir_;
};

}  // namespace

std::unique_ptr<BlobSource> make_directory_source(std::filesystem::path dir) {
  return std::make_unique<DirectorySource>(std::move(dir));
}

Result<std::unique_ptr<ArchiveSource>> ArchiveSource::open(const std::filesystem::path& archive,
                                                           ScratchDir& scratch,
                                                           const ExtractLimits& limits) {
  std::unique_ptr<ArchiveSource> source(new ArchiveSource(archive, scratch, limits));
  VIGIL_TRY(source->scan());
  return source;
}

Result<void> ArchiveSource::scan() {
  const std::string what = fmt::format("archive {}", archive_.string());
  ArchiveReader reader;
  archive_read_support_format_tar(reader.get());
  archive_read_support_filter_all(reader.get());
  if (archive_read_open_filename(reader.get(), archive_.c_str(), 256 * 1024) != ARCHIVE_OK) {
    const int err = archive_errno(reader.get());
    if (err == ENOENT) {
      return fail(Error::not_found("{}: no such file", what));
    }
    return fail(Error::parse("{}: {}", what, reader.error_text()));
  }
  uint64_t small_total = 0;
  std::map<std::string, std::string, std::less<>> links;  // member -> target member
  while (true) {
    archive_entry* entry = nullptr;
    const int status = archive_read_next_header(reader.get(), &entry);
    if (status == ARCHIVE_EOF) {
      break;
    }
    if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
      return fail(Error::parse("{}: {}", what, reader.error_text()));
    }
    if (members_.size() + links.size() >= kMaxMembers) {
      return fail(Error::invalid_argument("{}: more than {} members", what, kMaxMembers));
    }
    const auto raw = entry_name(entry);
    auto name = raw ? sanitize_entry_name(*raw) : Result<std::string>(std::string{});
    if (!name || name->empty()) {
      continue;  // hostile or empty names can never be referenced by a sane manifest
    }
    if (const char* hardlink = archive_entry_hardlink(entry); hardlink != nullptr) {
      if (auto target = sanitize_entry_name(hardlink)) {
        links[*name] = *target;
      }
      continue;
    }
    const auto type = archive_entry_filetype(entry);
    if (type == AE_IFLNK) {
      const char* target = archive_entry_symlink(entry);
      if (target != nullptr && target[0] != '\0') {
        // Relative targets start from the link's directory; absolute ones from the archive root.
        const std::string joined =
            target[0] == '/' ? std::string(target) : std::string(dir_of(*name)) + "/" + target;
        links[*name] = normalize_path(joined);
      }
      continue;
    }
    if (type != AE_IFREG) {
      continue;
    }
    Member member;
    member.size = static_cast<uint64_t>(std::max<la_int64_t>(archive_entry_size(entry), 0));
    if (member.size <= kSmallMember && small_total + member.size <= kMaxSmallTotal) {
      std::string data;
      VIGIL_TRY(copy_entry_data(reader, kSmallMember, fmt::format("{}: {}", what, *name),
                                [&](std::string_view chunk) -> Result<void> {
                                  data.append(chunk);
                                  return {};
                                }));
      small_total += data.size();
      member.size = data.size();
      member.data = std::move(data);
    }
    members_[*name] = std::move(member);
  }
  for (auto& [name, target] : links) {
    Member member;
    member.link = target;
    members_.emplace(name, std::move(member));
  }
  return {};
}

const ArchiveSource::Member* ArchiveSource::resolve(std::string_view name,
                                                    std::string* resolved) const {
  std::string current(name);
  for (int hop = 0; hop <= kMaxLinkHops; ++hop) {
    const auto found = members_.find(current);
    if (found == members_.end()) {
      return nullptr;
    }
    if (found->second.link.empty()) {
      if (resolved != nullptr) {
        *resolved = current;
      }
      return &found->second;
    }
    current = found->second.link;
  }
  return nullptr;
}

void ArchiveSource::alias(std::string digest, std::string name) {
  aliases_[std::move(digest)] = std::move(name);
}

std::string ArchiveSource::member_for(std::string_view digest) const {
  if (const auto found = aliases_.find(digest); found != aliases_.end()) {
    return found->second;
  }
  return "blobs/sha256/" + std::string(digest_hex(digest));
}

Result<std::string> ArchiveSource::read_member(std::string_view name, uint64_t max_bytes) {
  const std::string what = fmt::format("archive {}: {}", archive_.filename().string(), name);
  std::string resolved;
  const Member* member = resolve(name, &resolved);
  if (member == nullptr) {
    return fail(Error::not_found("{} is missing", what));
  }
  if (member->size > max_bytes) {
    return fail(Error::invalid_argument("{}: larger than {} bytes", what, max_bytes));
  }
  if (member->data) {
    return *member->data;
  }
  VIGIL_TRY(extract({resolved}));
  return read_file_limited(*members_.find(resolved)->second.file, max_bytes, what);
}

Result<std::string> ArchiveSource::read_blob(std::string_view digest, uint64_t max_bytes) {
  VIGIL_TRY(check_sha256_digest(digest));
  VIGIL_ASSIGN_OR_RETURN(std::string content, read_member(member_for(digest), max_bytes));
  return verified(std::move(content), digest, fmt::format("blob {}", digest));
}

void ArchiveSource::prepare(const std::vector<std::string>& digests) {
  std::vector<std::string> names;
  for (const auto& digest : digests) {
    std::string resolved;
    const Member* member = resolve(member_for(digest), &resolved);
    if (member != nullptr && !member->data && !member->file) {
      names.push_back(resolved);
    }
  }
  if (!names.empty()) {
    // Errors resurface per blob from blob_file(), which retries the members still missing.
    (void)extract(names);
  }
}

Result<std::filesystem::path> ArchiveSource::blob_file(std::string_view digest) {
  VIGIL_TRY(check_sha256_digest(digest));
  const std::string name = member_for(digest);
  std::string resolved;
  const Member* member = resolve(name, &resolved);
  if (member == nullptr) {
    return fail(Error::not_found("blob {}: archive member {} is missing", digest, name));
  }
  if (!member->file) {
    VIGIL_TRY(extract({resolved}));
  }
  return *members_.find(resolved)->second.file;
}

std::optional<std::filesystem::path> ArchiveSource::existing_file(std::string_view digest) const {
  if (!check_sha256_digest(digest)) {
    return std::nullopt;
  }
  const Member* member = resolve(member_for(digest), nullptr);
  return member != nullptr ? member->file : std::nullopt;
}

Result<void> ArchiveSource::extract(const std::vector<std::string>& names) {
  const std::string what = fmt::format("archive {}", archive_.string());
  std::set<std::string, std::less<>> wanted;
  for (const auto& name : names) {
    auto& member = members_.find(name)->second;
    if (member.data) {
      // Small members are already in memory: write them out directly.
      const auto path = scratch_.next_file("blob");
      std::ofstream out(path, std::ios::binary);
      out.write(member.data->data(), static_cast<std::streamsize>(member.data->size()));
      if (!out.flush()) {
        return fail(Error::io("{}: cannot write {}", what, path.string()));
      }
      member.file = path;
    } else if (!member.file) {
      wanted.insert(name);
    }
  }
  if (wanted.empty()) {
    return {};
  }
  ArchiveReader reader;
  archive_read_support_format_tar(reader.get());
  archive_read_support_filter_all(reader.get());
  if (archive_read_open_filename(reader.get(), archive_.c_str(), 256 * 1024) != ARCHIVE_OK) {
    return fail(Error::parse("{}: {}", what, reader.error_text()));
  }
  while (!wanted.empty()) {
    archive_entry* entry = nullptr;
    const int status = archive_read_next_header(reader.get(), &entry);
    if (status == ARCHIVE_EOF) {
      break;
    }
    if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
      return fail(Error::parse("{}: {}", what, reader.error_text()));
    }
    const auto raw = entry_name(entry);
    auto name = raw ? sanitize_entry_name(*raw) : Result<std::string>(std::string{});
    if (!name || !wanted.contains(*name) || archive_entry_filetype(entry) != AE_IFREG ||
        archive_entry_hardlink(entry) != nullptr) {
      continue;
    }
    wanted.erase(*name);
    const auto path = scratch_.next_file("blob");
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      return fail(Error::io("{}: cannot create {}: {}", what, path.string(), errno_text(errno)));
    }
    const uint64_t budget = limits_.max_expanded_bytes > extracted_bytes_
                                ? limits_.max_expanded_bytes - extracted_bytes_
                                : 0;
    auto copied = copy_entry_data(reader, budget, fmt::format("{}: {}", what, *name),
                                  [&](std::string_view chunk) -> Result<void> {
                                    while (!chunk.empty()) {
                                      const ssize_t wrote = ::write(fd, chunk.data(), chunk.size());
                                      if (wrote < 0) {
                                        if (errno == EINTR) {
                                          continue;
                                        }
                                        return fail(Error::io("{}: cannot write {}: {}", what,
                                                              path.string(), errno_text(errno)));
                                      }
                                      chunk.remove_prefix(static_cast<size_t>(wrote));
                                    }
                                    return {};
                                  });
    ::close(fd);
    if (!copied) {
      ::unlink(path.c_str());
      return fail(copied.error());
    }
    extracted_bytes_ += *copied;
    members_.find(*name)->second.file = path;
  }
  if (!wanted.empty()) {
    return fail(Error::parse("{}: members vanished on the second read: {}", what, *wanted.begin()));
  }
  return {};
}

}  // namespace vigil::sources::internal
