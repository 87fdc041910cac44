#include "inventory/catalogers/rpmdb.hpp"

#include <fcntl.h>
#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmts.h>
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "inventory/internal/os_package.hpp"
#include "inventory/ownership.hpp"

namespace vigil::inventory {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 2> kDbDirs = {"var/lib/rpm", "usr/lib/sysimage/rpm"};
constexpr uint64_t kMaxDbBytes = uint64_t{2} << 30;

// A database format: the librpm backend and the files it reads, main file first.
struct DbFormat {
  std::string_view backend;
  std::array<std::string_view, 2> files;
};
// In preference order: an image converted to sqlite may still hold its old Packages.
constexpr std::array<DbFormat, 3> kFormats = {{
    {"sqlite", {"rpmdb.sqlite", "rpmdb.sqlite-wal"}},
    {"bdb_ro", {"Packages", ""}},
    {"ndb", {"Packages.db", "Index.db"}},
}};

bool is_db_file(std::string_view file) {
  for (const auto& format : kFormats) {
    for (const auto known : format.files) {
      if (!known.empty() && known == file) {
        return true;
      }
    }
  }
  return false;
}

std::mutex& rpm_mutex() {
  static std::mutex mutex;
  return mutex;
}

// Collects librpm's warnings and errors instead of letting it print them.
class LogCapture {
 public:
  LogCapture() : previous_(rpmlogSetCallback(&LogCapture::callback, this)) {}
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  ~LogCapture() { rpmlogSetCallback(previous_, nullptr); }

  std::string take() { return std::exchange(messages_, {}); }

 private:
  static int callback(rpmlogRec rec, rpmlogCallbackData data) {
    auto* self = static_cast<LogCapture*>(data);
    if (rpmlogRecPriority(rec) <= RPMLOG_WARNING) {
      std::string_view message = rpmlogRecMessage(rec);
      while (!message.empty() && message.back() == '\n') {
        message.remove_suffix(1);
      }
      if (!self->messages_.empty()) {
        self->messages_ += "; ";
      }
      self->messages_ += message;
    }
    return 0;
  }

  rpmlogCallback previous_;
  std::string messages_;
};

// One installed header, as read.
struct RawRpm {
  std::string name;
  std::optional<uint64_t> epoch;
  std::string version;
  std::string release;
  std::string arch;
  std::string source_rpm;
  std::string modularity_label;
};

std::string header_string(Header header, rpmTagVal tag) {
  const char* value = headerGetString(header, tag);
  return value == nullptr ? std::string{} : std::string(value);
}

// Pushes a macro for the lifetime of the guard.
class MacroGuard {
 public:
  MacroGuard(const char* name, const std::string& value) : name_(name) {
    rpmPushMacro(nullptr, name_, nullptr, value.c_str(), RMIL_CMDLINE);
  }
  MacroGuard(const MacroGuard&) = delete;
  MacroGuard& operator=(const MacroGuard&) = delete;
  ~MacroGuard() { rpmPopMacro(nullptr, name_); }

 private:
  const char* name_;
};

Result<void> read_config_once() {
  static const bool ok = rpmReadConfigFiles(nullptr, nullptr) == 0;
  if (!ok) {
    return fail(Error::unavailable("librpm could not read its configuration"));
  }
  return {};
}

// What to do with an open database; returns how many headers it read.
using DbReader = std::function<size_t(rpmts)>;

RawRpm raw_rpm(Header header) {
  RawRpm rpm;
  rpm.name = header_string(header, RPMTAG_NAME);
  if (headerIsEntry(header, RPMTAG_EPOCH) != 0) {
    rpm.epoch = headerGetNumber(header, RPMTAG_EPOCH);
  }
  rpm.version = header_string(header, RPMTAG_VERSION);
  rpm.release = header_string(header, RPMTAG_RELEASE);
  rpm.arch = header_string(header, RPMTAG_ARCH);
  rpm.source_rpm = header_string(header, RPMTAG_SOURCERPM);
  rpm.modularity_label = header_string(header, RPMTAG_MODULARITYLABEL);
  return rpm;
}

// Reads every header of an open database into `out`.
DbReader all_headers(std::vector<RawRpm>& out) {
  return [&out](rpmts ts) {
    const std::unique_ptr<rpmdbMatchIterator_s, decltype(&rpmdbFreeIterator)> iterator(
        rpmtsInitIterator(ts, RPMDBI_PACKAGES, nullptr, 0), &rpmdbFreeIterator);
    while (iterator) {
      Header header = rpmdbNextIterator(iterator.get());
      if (header == nullptr) {
        break;
      }
      out.push_back(raw_rpm(header));
    }
    return out.size();
  };
}

// Opens the database at `root` + `dbpath` with `backend` and runs `reader` on it. Call with the
// rpm mutex held.
Result<void> visit_database(const std::string& root, const std::string& dbpath,
                            std::string_view backend, const DbReader& reader) {
  VIGIL_TRY(read_config_once());
  LogCapture log;
  const MacroGuard dbpath_macro("_dbpath", dbpath);
  const MacroGuard backend_macro("_db_backend", std::string(backend));
  const std::unique_ptr<rpmts_s, decltype(&rpmtsFree)> ts(rpmtsCreate(), &rpmtsFree);
  if (rpmtsSetRootDir(ts.get(), root.c_str()) != 0) {
    return fail(Error::io("librpm rejected root directory {}", root));
  }
  rpmtsSetVSFlags(ts.get(), RPMVSF_MASK_NOSIGNATURES | RPMVSF_MASK_NODIGESTS);
  if (rpmtsOpenDB(ts.get(), O_RDONLY) != 0) {
    const std::string messages = log.take();
    return fail(Error::unsupported("librpm cannot open the {} database: {}", backend,
                                   messages.empty() ? "no reason given" : messages));
  }
  const size_t count = reader(ts.get());
  rpmtsCloseDB(ts.get());
  const std::string messages = log.take();
  // librpm falls back to its "dummy" backend, silently empty, for a backend it was built
  // without (Debian's has sqlite and bdb_ro but not ndb).
  if (messages.find("dummy database") != std::string::npos) {
    return fail(Error::unsupported(
        "this librpm has no '{}' backend, so the database cannot be read", backend));
  }
  if (!messages.empty() && count == 0) {
    return fail(Error::io("librpm read no package from the {} database: {}", backend, messages));
  }
  return {};
}

// A private directory removed with its content when the guard goes.
class ScratchDir {
 public:
  static Result<ScratchDir> create() {
    std::string pattern = (fs::temp_directory_path() / "vigil-rpmdb-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return fail(Error::io("cannot create a temporary directory for the rpm database"));
    }
    return ScratchDir(pattern);
  }
  ScratchDir(ScratchDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  ScratchDir& operator=(ScratchDir&&) = delete;
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    if (!path_.empty()) {
      std::error_code ec;
      fs::remove_all(path_, ec);
    }
  }
  const fs::path& path() const { return path_; }

 private:
  explicit ScratchDir(fs::path path) : path_(std::move(path)) {}
  fs::path path_;
};

// True when no entry of the host directory `dir` is a symlink, so librpm (which follows
// links) cannot be led outside the tree by one.
bool has_no_symlinks(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_symlink(ec) || ec) {
      return false;
    }
  }
  return !ec;
}

// SQLite's file header. librpm leaks its sqlite handle when asked to open something else, so
// such files are rejected before librpm sees them.
constexpr std::string_view kSqliteMagic{"SQLite format 3\0", 16};

Result<void> check_main_file(const DbFormat& format, std::string_view head, std::string_view path) {
  if (format.backend == "sqlite" && !head.starts_with(kSqliteMagic)) {
    return fail(Error::parse("{} is not an SQLite database", path));
  }
  return {};
}

// Reads the database in place when the tree is on the host and the directory is safe to hand
// to librpm; false when that is not possible or librpm failed there.
bool read_in_place(const sources::FileTree& tree, const std::string& dir, const DbFormat& format,
                   const DbReader& reader) {
  const auto root = tree.host_path("");
  const auto host_dir = tree.host_path(dir);
  if (!root || !host_dir || !has_no_symlinks(*host_dir)) {
    return false;
  }
  std::string head(kSqliteMagic.size(), '\0');
  std::ifstream main_file(*host_dir / std::string(format.files[0]), std::ios::binary);
  main_file.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(std::max<std::streamsize>(main_file.gcount(), 0)));
  if (!check_main_file(format, head, dir)) {
    return false;  // the copy reports it
  }
  const fs::path relative = host_dir->lexically_relative(*root);
  if (relative.empty() || *relative.begin() == "..") {
    return false;
  }
  return visit_database(root->string(), "/" + relative.string(), format.backend, reader)
      .has_value();
}

// Copies the format's files out of the tree and reads the copy.
Result<void> read_copy(const sources::FileTree& tree, const std::string& dir,
                       const DbFormat& format, const std::set<std::string>& present,
                       const DbReader& reader) {
  VIGIL_ASSIGN_OR_RETURN(ScratchDir scratch, ScratchDir::create());
  for (const auto file : format.files) {
    if (file.empty() || !present.contains(std::string(file))) {
      continue;
    }
    const std::string path = dir + "/" + std::string(file);
    VIGIL_ASSIGN_OR_RETURN(std::string content, tree.read(path, kMaxDbBytes));
    if (file == format.files[0]) {
      VIGIL_TRY(check_main_file(format, content, path));
    }
    std::ofstream out(scratch.path() / std::string(file), std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out.flush()) {
      return fail(Error::io("cannot copy {} to {}", path, scratch.path().string()));
    }
  }
  return visit_database("/", scratch.path().string(), format.backend, reader);
}

// Reads the database in place if possible, else from a copy. Takes the rpm mutex.
Result<void> read_any(const sources::FileTree& tree, const std::string& dir,
                      const DbFormat& format, const std::set<std::string>& present,
                      const DbReader& reader) {
  const std::lock_guard lock(rpm_mutex());
  if (read_in_place(tree, dir, format, reader)) {
    return {};
  }
  return read_copy(tree, dir, format, present, reader);
}

// "[epoch:]version-release", the version rpm packages are recorded with.
std::string full_version(const RawRpm& rpm) {
  const std::string epoch_prefix = rpm.epoch ? fmt::format("{}:", *rpm.epoch) : std::string{};
  return epoch_prefix + rpm.version + "-" + rpm.release;
}

model::Package to_package(RawRpm rpm, std::string_view location,
                          std::vector<model::Diagnostic>& diagnostics) {
  model::Package package;
  const std::string epoch_prefix = rpm.epoch ? fmt::format("{}:", *rpm.epoch) : std::string{};
  package.version = full_version(rpm);
  package.name = std::move(rpm.name);
  package.arch = std::move(rpm.arch);
  package.source_name = package.name;
  package.source_version = package.version;
  if (!rpm.source_rpm.empty()) {
    if (auto source = parse_source_rpm(rpm.source_rpm)) {
      package.source_name = std::move(source->name);
      package.source_version = epoch_prefix + source->version + "-" + source->release;
    } else {
      diagnostics.push_back(
          {model::DiagnosticLevel::kWarning, std::string(location),
           fmt::format("package {}: unrecognised SOURCERPM '{}'", package.name, rpm.source_rpm)});
    }
  }
  package.locations.emplace_back(location);
  return package;
}

}  // namespace

std::optional<SourceRpm> parse_source_rpm(std::string_view filename) {
  std::string_view stem = filename;
  if (stem.ends_with(".src.rpm")) {
    stem.remove_suffix(8);
  } else if (stem.ends_with(".nosrc.rpm")) {
    stem.remove_suffix(10);
  } else {
    return std::nullopt;
  }
  const size_t release_dash = stem.rfind('-');
  if (release_dash == std::string_view::npos || release_dash == 0) {
    return std::nullopt;
  }
  const size_t version_dash = stem.rfind('-', release_dash - 1);
  if (version_dash == std::string_view::npos || version_dash == 0 ||
      version_dash + 1 == release_dash || release_dash + 1 == stem.size()) {
    return std::nullopt;
  }
  return SourceRpm{std::string(stem.substr(0, version_dash)),
                   std::string(stem.substr(version_dash + 1, release_dash - version_dash - 1)),
                   std::string(stem.substr(release_dash + 1))};
}

bool RpmDbCataloger::wants(std::string_view path) const {
  for (const auto dir : kDbDirs) {
    if (path.size() > dir.size() + 1 && path.starts_with(dir) && path[dir.size()] == '/' &&
        is_db_file(path.substr(dir.size() + 1))) {
      return true;
    }
  }
  return false;
}

void RpmDbCataloger::catalog(const sources::FileTree& tree, std::span<const std::string> paths,
                             model::Inventory& inventory) const {
  std::map<std::string, std::set<std::string>> files_by_dir;
  for (const auto& path : paths) {
    const size_t slash = path.rfind('/');
    files_by_dir[path.substr(0, slash)].insert(path.substr(slash + 1));
  }
  // rpm keeps one database; distributions that moved it leave var/lib/rpm as a link (which
  // the walk does not follow), so at most one directory normally holds one.
  for (const auto dir_name : kDbDirs) {
    const std::string dir(dir_name);
    const auto found = files_by_dir.find(dir);
    if (found == files_by_dir.end()) {
      continue;
    }
    const DbFormat* format = nullptr;
    for (const auto& candidate : kFormats) {
      if (found->second.contains(std::string(candidate.files[0]))) {
        format = &candidate;
        break;
      }
    }
    if (format == nullptr) {
      continue;
    }
    const std::string location = dir + "/" + std::string(format->files[0]);
    const model::Ecosystem ecosystem =
        internal::package_ecosystem(inventory.os,
                                    {model::Ecosystem::kAmazonLinux, model::Ecosystem::kRedHat,
                                     model::Ecosystem::kAlmaLinux, model::Ecosystem::kRocky},
                                    name(), location, inventory.diagnostics);

    std::vector<RawRpm> rpms;
    const auto read = read_any(tree, dir, *format, found->second, all_headers(rpms));
    if (!read) {
      inventory.diagnostics.push_back(
          {model::DiagnosticLevel::kError, location, read.error().message});
      inventory.complete = false;
      return;
    }
    for (auto& rpm : rpms) {
      if (rpm.name == "gpg-pubkey" || rpm.name.empty()) {
        continue;  // imported signing keys, not software
      }
      std::map<std::string, std::string> extra;
      if (!rpm.modularity_label.empty()) {
        extra["modularitylabel"] = rpm.modularity_label;
      }
      model::Package package = to_package(std::move(rpm), location, inventory.diagnostics);
      package.ecosystem = ecosystem;
      package.purl = internal::os_package_purl("rpm", package, inventory.os, extra);
      inventory.packages.push_back(std::move(package));
    }
    return;
  }
}

void RpmDbCataloger::find_owners(const sources::FileTree& tree, const model::Inventory& inventory,
                                 OwnerQuery& query) const {
  // The database the packages came from, and name/version/arch -> purl to recognise them.
  std::string location;
  std::map<std::string, const std::string*> purl_by_identity;
  for (const auto& package : inventory.packages) {
    if (!model::is_os_ecosystem(package.ecosystem) || package.locations.empty() ||
        !wants(package.locations.front())) {
      continue;
    }
    location = package.locations.front();
    purl_by_identity.emplace(
        fmt::format("{}\n{}\n{}", package.name, package.version, package.arch), &package.purl);
  }
  if (location.empty()) {
    return;
  }
  const size_t slash = location.rfind('/');
  const std::string dir = location.substr(0, slash);
  const std::string_view main_file = std::string_view(location).substr(slash + 1);
  const auto format = std::find_if(kFormats.begin(), kFormats.end(),
                                   [&](const DbFormat& known) { return known.files[0] == main_file; });
  if (format == kFormats.end()) {
    return;
  }
  std::set<std::string> present;
  for (const auto file : format->files) {
    if (!file.empty()) {
      const auto info = tree.stat(dir + "/" + std::string(file));
      if (info && *info) {
        present.emplace(file);
      }
    }
  }
  const std::vector<std::string> paths = query.unclaimed_paths();
  // The database's file index answers "rpm -qf" per path; a merged-/usr path may be recorded
  // under its old top-level spelling by packages built before the merge.
  const auto reader = [&](rpmts ts) -> size_t {
    size_t headers = 0;
    for (const auto& path : paths) {
      std::vector<std::string> spellings{"/" + path};
      for (const std::string_view merged : {"usr/bin/", "usr/sbin/", "usr/lib/", "usr/lib32/",
                                            "usr/lib64/", "usr/libx32/"}) {
        if (path.starts_with(merged)) {
          spellings.push_back("/" + path.substr(4));
        }
      }
      for (const auto& spelling : spellings) {
        const std::unique_ptr<rpmdbMatchIterator_s, decltype(&rpmdbFreeIterator)> iterator(
            rpmtsInitIterator(ts, RPMDBI_INSTFILENAMES, spelling.c_str(), 0), &rpmdbFreeIterator);
        while (iterator) {
          Header header = rpmdbNextIterator(iterator.get());
          if (header == nullptr) {
            break;
          }
          ++headers;
          const RawRpm rpm = raw_rpm(header);
          const auto owner = purl_by_identity.find(
              fmt::format("{}\n{}\n{}", rpm.name, full_version(rpm), rpm.arch));
          if (owner != purl_by_identity.end()) {
            query.claim(path, *owner->second);
          }
        }
      }
    }
    return std::max<size_t>(headers, 1);  // finding no owner is not a failure
  };
  (void)read_any(tree, dir, *format, present, reader);  // best effort: not owned if unreadable
}

}  // namespace vigil::inventory
