#include "agent/collect.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <utility>

#include "agent/sockets.hpp"
#include "core/strings.hpp"
#include "inventory/cataloger.hpp"
#include "sources/digest.hpp"
#include "sources/file_tree.hpp"

namespace vigil::agent {
namespace {

constexpr uint64_t kMaxIdentityFile = 4096;

// The first non-empty, non-comment line of a small identity file, or "" when absent/unreadable.
std::string first_line(const sources::FileTree& tree, std::string_view path) {
  const auto text = tree.read(path, kMaxIdentityFile);
  if (!text) {
    return {};
  }
  for (const std::string_view line : split(*text, '\n')) {
    const std::string_view trimmed = trim(line);
    if (!trimmed.empty() && trimmed.front() != '#') {
      return std::string(trimmed);
    }
  }
  return {};
}

bool is_machine_id(std::string_view text) {
  return text.size() == 32 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool is_live_root(const std::filesystem::path& root) {
  std::error_code error;
  return std::filesystem::equivalent(root, "/", error);
}

std::string fallback_hostname(const std::filesystem::path& root) {
  if (is_live_root(root)) {
    std::array<char, 256> name{};
    if (::gethostname(name.data(), name.size() - 1) == 0 && name[0] != '\0') {
      return std::string(name.data());
    }
  }
  return "localhost";
}

void take_env(std::string& field, const char* name) {
  if (field.empty()) {
    if (const char* value = std::getenv(name); value != nullptr) {
      field = value;
    }
  }
}

}  // namespace

void apply_identity_environment(IdentityOverrides& overrides) {
  take_env(overrides.instance_id, "VIGIL_INSTANCE_ID");
  take_env(overrides.account_id, "VIGIL_ACCOUNT_ID");
  take_env(overrides.region, "VIGIL_REGION");
}

std::string derive_instance_id(std::string_view seed) {
  const std::string digest = sources::sha256_digest(seed);
  return "i-" + std::string(sources::digest_hex(digest).substr(0, 17));
}

std::string format_utc(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm parts{};
  ::gmtime_r(&seconds, &parts);
  std::array<char, 32> text{};
  const size_t length = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &parts);
  return std::string(text.data(), length);
}

Result<inventory::AgentDocument> collect(const CollectOptions& options,
                                         std::chrono::system_clock::time_point now) {
  VIGIL_ASSIGN_OR_RETURN(const auto tree, sources::open_directory(options.root));
  inventory::AgentDocument document;
  document.inventory = inventory::catalog(*tree, inventory::default_catalogers());

  inventory::HostIdentity& host = document.host;
  host.hostname = first_line(*tree, "etc/hostname");
  if (host.hostname.empty() || host.hostname.size() > 253) {
    host.hostname = fallback_hostname(options.root);
  }
  const std::string machine_id = first_line(*tree, "etc/machine-id");
  if (is_machine_id(machine_id)) {
    host.machine_id = machine_id;
  } else if (!machine_id.empty()) {
    document.inventory.diagnostics.push_back(
        {model::DiagnosticLevel::kWarning, "/etc/machine-id",
         "not 32 lower-case hex digits; machine id left empty"});
  }
  const IdentityOverrides& given = options.identity;
  host.instance_id = !given.instance_id.empty()
                         ? given.instance_id
                         : derive_instance_id(host.machine_id.empty() ? host.hostname
                                                                      : host.machine_id);
  host.account_id = given.account_id;
  host.region = given.region;
  host.tags = given.tags;
  if (options.collect_sockets) {
    SocketScanOptions socket_options;
    socket_options.root = options.root;
    socket_options.proc_root = options.proc_root.value_or(options.root / "proc");
    socket_options.max_sockets = std::min(options.max_sockets, inventory::kMaxListeningSockets);
    socket_options.max_processes = options.max_processes;
    SocketScan sockets = scan_listening_sockets(socket_options);
    if (sockets.available) {
      document.schema_version = inventory::kAgentDocumentSocketsSchema;
      document.listening_sockets = std::move(sockets.sockets);
    }
    auto& diagnostics = document.inventory.diagnostics;
    diagnostics.insert(diagnostics.end(), std::make_move_iterator(sockets.diagnostics.begin()),
                       std::make_move_iterator(sockets.diagnostics.end()));
  }
  document.collected_at = format_utc(now);
  document.agent_version = options.agent_version.empty() ? "0.0.0" : options.agent_version;
  document.content_hash = inventory::agent_content_hash(document);

  // Validate exactly as the service will, so a bad flag fails here rather than at push time.
  if (auto checked = inventory::parse_agent_document(inventory::write_agent_document(document));
      !checked) {
    return fail(checked.error());
  }
  return document;
}

namespace {

// Writes all of `content` to `fd`, retrying interrupted writes; false (errno set) on failure.
bool write_all(int fd, std::string_view content) {
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t count = ::write(fd, content.data() + written, content.size() - written);
    if (count < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    written += static_cast<size_t>(count);
  }
  return true;
}

// Writes `content` into the existing non-regular file open as `fd` (a pipe, a terminal,
// /dev/null): renaming over such a path would replace the device or FIFO with a plain file.
Result<void> write_through(int fd, const std::filesystem::path& path, std::string_view content) {
  if (!write_all(fd, content)) {
    const int saved = errno;
    ::close(fd);
    return fail(Error::io("{}: write: {}", path.string(), std::strerror(saved)));
  }
  if (::close(fd) != 0) {
    return fail(Error::io("{}: close: {}", path.string(), std::strerror(errno)));
  }
  return {};
}

}  // namespace

Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view content) {
  struct stat existing {};
  if (::stat(path.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode) &&
      !S_ISDIR(existing.st_mode)) {
    const int out = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (out < 0) {
      return fail(Error::io("{}: {}", path.string(), std::strerror(errno)));
    }
    return write_through(out, path, content);
  }
  const std::filesystem::path directory =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::string temp = (directory / ("." + path.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) {
    return fail(Error::io("{}: cannot create a temporary file: {}", path.string(),
                          std::strerror(errno)));
  }
  const auto fail_with = [&](std::string_view what) {
    const int saved = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    return fail(Error::io("{}: {}: {}", path.string(), what, std::strerror(saved)));
  };
  if (!write_all(fd, content)) {
    return fail_with("write");
  }
  if (::fchmod(fd, 0644) != 0 || ::fsync(fd) != 0) {
    return fail_with("sync");
  }
  if (::close(fd) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    return fail(Error::io("{}: close: {}", path.string(), std::strerror(saved)));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    return fail(Error::io("{}: rename: {}", path.string(), std::strerror(saved)));
  }
  return {};
}

}  // namespace vigil::agent
