#include "agent/sockets.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "core/strings.hpp"

namespace vigil::agent {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxTableBytes = size_t{256} << 20;  // a /proc/net table on a very busy host
constexpr size_t kMaxListBytes = size_t{64} << 20;    // one dpkg .list file
constexpr size_t kMaxCommBytes = 256;
constexpr size_t kMaxLineWarnings = 5;
constexpr uint64_t kMaxPid = uint64_t{1} << 22;  // PID_MAX_LIMIT; the document's bound
constexpr std::string_view kTcpListen = "0A";
constexpr std::string_view kUdpUnconnected = "07";  // TCP_CLOSE: bound, no peer

Error errno_error(const fs::path& path, std::string_view what, int code) {
  const std::string message = fmt::format("{}: {}: {}", path.string(), what, std::strerror(code));
  if (code == EACCES || code == EPERM) {
    return {ErrorCode::kUnavailable, message};
  }
  if (code == ENOENT || code == ESRCH || code == ENOTDIR) {
    return {ErrorCode::kNotFound, message};
  }
  return {ErrorCode::kIo, message};
}

class SystemReader final : public ProcReader {
 public:
  Result<std::vector<std::string>> list(const fs::path& path) const override {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) {
      return fail(errno_error(path, "opendir", errno));
    }
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* entry = ::readdir(dir)) {
      const std::string_view name = entry->d_name;
      if (name != "." && name != "..") {
        names.emplace_back(name);
      }
    }
    const int code = errno;
    ::closedir(dir);
    if (code != 0) {
      return fail(errno_error(path, "readdir", code));
    }
    return names;
  }

  Result<std::string> read_link(const fs::path& path) const override {
    std::array<char, 4096> buffer{};
    const ssize_t length = ::readlink(path.c_str(), buffer.data(), buffer.size());
    if (length < 0) {
      return fail(errno_error(path, "readlink", errno));
    }
    return std::string(buffer.data(), static_cast<size_t>(length));
  }

  Result<std::string> read(const fs::path& path, size_t max_bytes) const override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return fail(errno_error(path, "open", errno));
    }
    std::string content;
    std::array<char, 65536> chunk{};
    while (content.size() < max_bytes) {
      const ssize_t count =
          ::read(fd, chunk.data(), std::min(chunk.size(), max_bytes - content.size()));
      if (count < 0) {
        if (errno == EINTR) {
          continue;
        }
        const int code = errno;
        ::close(fd);
        return fail(errno_error(path, "read", code));
      }
      if (count == 0) {
        break;
      }
      content.append(chunk.data(), static_cast<size_t>(count));
    }
    ::close(fd);
    return content;
  }
};

// Hex digits to an unsigned value; false for anything else or more than 16 digits.
bool parse_hex(std::string_view text, uint64_t& value) {
  if (text.empty() || text.size() > 16) {
    return false;
  }
  value = 0;
  for (const char c : text) {
    uint64_t digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<uint64_t>(c - '0');
    } else if (c >= 'A' && c <= 'F') {
      digit = static_cast<uint64_t>(c - 'A' + 10);
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<uint64_t>(c - 'a' + 10);
    } else {
      return false;
    }
    value = (value << 4) | digit;
  }
  return true;
}

bool parse_decimal(std::string_view text, uint64_t& value) {
  if (text.empty() || text.size() > 19) {
    return false;
  }
  value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') {
      return false;
    }
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return true;
}

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) {
      ++pos;
    }
    const size_t start = pos;
    while (pos < line.size() && line[pos] != ' ' && line[pos] != '\t') {
      ++pos;
    }
    if (pos > start) {
      out.push_back(line.substr(start, pos - start));
    }
  }
  return out;
}

struct Candidate {
  inventory::ListeningSocket socket;
  uint64_t inode = 0;
};

struct Table {
  std::string_view name;  // under net/
  std::string_view protocol;
  bool tcp;
};
constexpr std::array<Table, 4> kTables = {
    {{"tcp", "tcp", true}, {"tcp6", "tcp", true}, {"udp", "udp", false}, {"udp6", "udp", false}}};

// A line of a /proc/net table: nullopt for a socket that does not listen; an error for a line
// that is not one.
Result<std::optional<Candidate>> parse_line(std::string_view line, const Table& table) {
  const auto parts = fields(line);
  if (parts.size() < 10 || parts[0].empty() || parts[0].back() != ':') {
    return fail(Error::parse("expected at least 10 columns"));
  }
  if (parts[3].size() != 2) {
    return fail(Error::parse("state \"{}\" is not two hex digits", parts[3].substr(0, 16)));
  }
  VIGIL_ASSIGN_OR_RETURN(auto local, decode_proc_address(parts[1]));
  VIGIL_ASSIGN_OR_RETURN(const auto remote, decode_proc_address(parts[2]));
  uint64_t inode = 0;
  if (!parse_decimal(parts[9], inode)) {
    return fail(Error::parse("inode \"{}\" is not a decimal number", parts[9].substr(0, 24)));
  }
  const bool listening = table.tcp ? parts[3] == kTcpListen
                                   : (parts[3] == kUdpUnconnected && remote.second == 0 &&
                                      (remote.first == "0.0.0.0" || remote.first == "::"));
  if (!listening || local.second == 0) {
    return std::optional<Candidate>();
  }
  Candidate candidate;
  candidate.socket.protocol = std::string(table.protocol);
  candidate.socket.local_address = std::move(local.first);
  candidate.socket.port = local.second;
  candidate.inode = inode;
  return std::optional<Candidate>(std::move(candidate));
}

void warn(SocketScan& scan, std::string where, std::string message) {
  scan.diagnostics.push_back(
      {model::DiagnosticLevel::kWarning, std::move(where), std::move(message)});
}

void read_tables(const SocketScanOptions& options, const ProcReader& reader, SocketScan& scan,
                 std::vector<Candidate>& candidates) {
  size_t dropped = 0;
  for (const Table& table : kTables) {
    const fs::path path = options.proc_root / "net" / std::string(table.name);
    auto text = reader.read(path, kMaxTableBytes);
    if (!text) {
      if (text.error().code != ErrorCode::kNotFound) {
        warn(scan, path.string(), text.error().message);
      }
      continue;
    }
    scan.available = true;
    if (text->size() == kMaxTableBytes) {
      scan.truncated = true;
      warn(scan, path.string(),
           fmt::format("larger than {} bytes; the rest is not read", kMaxTableBytes));
    }
    size_t line_number = 0;
    for (const std::string_view raw : split(*text, '\n')) {
      ++line_number;
      const std::string_view line = trim(raw);
      if (line.empty() || (line_number == 1 && line.starts_with("sl"))) {
        continue;
      }
      auto parsed = parse_line(line, table);
      if (!parsed) {
        if (++scan.malformed_lines <= kMaxLineWarnings) {
          warn(scan, fmt::format("{}:{}", path.string(), line_number),
               "malformed line skipped: " + parsed.error().message);
        }
        continue;
      }
      if (!*parsed) {
        continue;
      }
      if (candidates.size() >= options.max_sockets) {
        ++dropped;
        continue;
      }
      candidates.push_back(std::move(**parsed));
    }
  }
  if (scan.malformed_lines > kMaxLineWarnings) {
    warn(scan, (options.proc_root / "net").string(),
         fmt::format("{} malformed lines skipped in all", scan.malformed_lines));
  }
  if (dropped > 0) {
    scan.truncated = true;
    warn(scan, (options.proc_root / "net").string(),
         fmt::format("{} listening sockets beyond the limit of {} not reported", dropped,
                     options.max_sockets));
  }
}

// inode of "socket:[12345]", or 0.
uint64_t socket_inode(std::string_view target) {
  constexpr std::string_view kPrefix = "socket:[";
  if (!target.starts_with(kPrefix) || !target.ends_with("]")) {
    return 0;
  }
  uint64_t inode = 0;
  return parse_decimal(target.substr(kPrefix.size(), target.size() - kPrefix.size() - 1), inode)
             ? inode
             : 0;
}

// Pids of the proc root in ascending order, at most `limit`.
std::vector<uint64_t> list_pids(const SocketScanOptions& options, const ProcReader& reader,
                                SocketScan& scan) {
  std::vector<uint64_t> pids;
  auto names = reader.list(options.proc_root);
  if (!names) {
    warn(scan, options.proc_root.string(), names.error().message);
    return pids;
  }
  for (const std::string& name : *names) {
    uint64_t pid = 0;
    if (name.size() <= 10 && parse_decimal(name, pid) && pid > 0 && pid <= kMaxPid) {
      pids.push_back(pid);
    }
  }
  std::sort(pids.begin(), pids.end());
  if (pids.size() > options.max_processes) {
    scan.truncated = true;
    warn(scan, options.proc_root.string(),
         fmt::format("{} processes beyond the limit of {} not examined",
                     pids.size() - options.max_processes, options.max_processes));
    pids.resize(options.max_processes);
  }
  return pids;
}

// inode -> the lowest pid holding it.
std::unordered_map<uint64_t, uint64_t> map_owners(const SocketScanOptions& options,
                                                  const ProcReader& reader,
                                                  const std::vector<Candidate>& candidates,
                                                  std::set<uint64_t>& unreadable,
                                                  SocketScan& scan) {
  std::unordered_map<uint64_t, uint64_t> owners;
  std::set<uint64_t> wanted;
  for (const Candidate& candidate : candidates) {
    if (candidate.inode != 0) {
      wanted.insert(candidate.inode);
    }
  }
  if (wanted.empty()) {
    return owners;
  }
  for (const uint64_t pid : list_pids(options, reader, scan)) {
    const fs::path fd_dir = options.proc_root / std::to_string(pid) / "fd";
    auto fds = reader.list(fd_dir);
    if (!fds) {
      if (fds.error().code == ErrorCode::kUnavailable) {
        unreadable.insert(pid);
      }
      continue;  // permission: counted; vanished: gone
    }
    size_t examined = 0;
    for (const std::string& fd : *fds) {
      if (++examined > options.max_fds_per_process) {
        if (!scan.truncated) {
          warn(scan, fd_dir.string(),
               fmt::format("more than {} descriptors; the rest are not examined",
                           options.max_fds_per_process));
        }
        scan.truncated = true;
        break;
      }
      auto target = reader.read_link(fd_dir / fd);
      if (!target) {
        if (target.error().code == ErrorCode::kUnavailable) {
          unreadable.insert(pid);
        }
        continue;
      }
      const uint64_t inode = socket_inode(*target);
      if (inode != 0 && wanted.contains(inode)) {
        owners.emplace(inode, pid);  // pids ascend: the first holder stays
        wanted.erase(inode);
      }
    }
    if (wanted.empty()) {
      break;
    }
  }
  return owners;
}

struct ProcessInfo {
  std::string name;
  std::string executable;
};

ProcessInfo describe_process(const SocketScanOptions& options, const ProcReader& reader,
                             uint64_t pid, std::set<uint64_t>& unreadable) {
  ProcessInfo info;
  const fs::path dir = options.proc_root / std::to_string(pid);
  if (auto comm = reader.read(dir / "comm", kMaxCommBytes)) {
    info.name = std::string(trim(*comm));
    if (info.name.size() > 64) {
      info.name.resize(64);
    }
  }
  auto exe = reader.read_link(dir / "exe");
  if (!exe) {
    if (exe.error().code == ErrorCode::kUnavailable) {
      unreadable.insert(pid);
    }
    return info;
  }
  std::string path = std::move(*exe);
  constexpr std::string_view kDeleted = " (deleted)";
  if (path.ends_with(kDeleted)) {
    path.resize(path.size() - kDeleted.size());
  }
  if (path.starts_with('/') && path.size() <= 4096) {
    info.executable = std::move(path);
  }
  return info;
}

// The other spelling of `path` on a merged-/usr system ("/usr/sbin/x" <-> "/sbin/x"), or "".
std::string usr_merge_twin(std::string_view path) {
  for (const std::string_view top : {"/bin/", "/sbin/", "/lib/", "/lib64/"}) {
    if (path.starts_with(top)) {
      return "/usr" + std::string(path);
    }
    if (path.starts_with("/usr") && path.substr(4).starts_with(top)) {
      return std::string(path.substr(4));
    }
  }
  return {};
}

// executable -> dpkg package, for the given executables.
std::map<std::string, std::string> dpkg_owners(const SocketScanOptions& options,
                                               const ProcReader& reader,
                                               const std::set<std::string>& executables,
                                               SocketScan& scan) {
  std::map<std::string, std::string> owners;
  std::map<std::string, std::string, std::less<>> lookup;  // listed path -> executable
  for (const std::string& executable : executables) {
    lookup.emplace(executable, executable);
    if (std::string twin = usr_merge_twin(executable); !twin.empty()) {
      lookup.emplace(std::move(twin), executable);
    }
  }
  if (lookup.empty()) {
    return owners;
  }
  const fs::path info_dir = options.root / "var/lib/dpkg/info";
  auto names = reader.list(info_dir);
  if (!names) {
    if (names.error().code != ErrorCode::kNotFound) {
      warn(scan, info_dir.string(), names.error().message);
    }
    return owners;
  }
  std::sort(names->begin(), names->end());
  for (const std::string& name : *names) {
    if (!name.ends_with(".list") || name.size() == 5) {
      continue;
    }
    std::string package = name.substr(0, name.size() - 5);
    if (const size_t colon = package.find(':'); colon != std::string::npos) {
      package.resize(colon);  // "libc6:amd64"
    }
    auto text = reader.read(info_dir / name, kMaxListBytes);
    if (!text) {
      continue;
    }
    for (const std::string_view line : split(*text, '\n')) {
      const auto found = lookup.find(trim(line));
      if (found != lookup.end() && !owners.contains(found->second)) {
        owners.emplace(found->second, package);
      }
    }
    if (owners.size() == executables.size()) {
      break;
    }
  }
  return owners;
}

}  // namespace

std::unique_ptr<ProcReader> system_reader() { return std::make_unique<SystemReader>(); }

Result<std::pair<std::string, uint16_t>> decode_proc_address(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return fail(Error::parse("address \"{}\" has no ':'", text.substr(0, 48)));
  }
  const std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  uint64_t port = 0;
  if (port_text.size() != 4 || !parse_hex(port_text, port)) {
    return fail(Error::parse("port \"{}\" is not four hex digits", port_text.substr(0, 16)));
  }
  // The kernel prints each 32-bit word of the address as it sits in memory, read as a
  // host-order integer: copying the integer back to memory restores network byte order.
  std::array<unsigned char, 16> bytes{};
  if (host.size() != 8 && host.size() != 32) {
    return fail(Error::parse("address \"{}\" is not 8 or 32 hex digits", host.substr(0, 48)));
  }
  for (size_t word = 0; word < host.size() / 8; ++word) {
    uint64_t value = 0;
    if (!parse_hex(host.substr(word * 8, 8), value)) {
      return fail(Error::parse("address \"{}\" is not hex", host.substr(0, 48)));
    }
    const auto host_order = static_cast<uint32_t>(value);
    std::memcpy(bytes.data() + word * 4, &host_order, 4);
  }
  std::array<char, INET6_ADDRSTRLEN> out{};
  const int family = host.size() == 8 ? AF_INET : AF_INET6;
  if (::inet_ntop(family, bytes.data(), out.data(), static_cast<socklen_t>(out.size())) ==
      nullptr) {
    return fail(Error::parse("address \"{}\" cannot be printed", host));
  }
  return std::pair<std::string, uint16_t>(std::string(out.data()), static_cast<uint16_t>(port));
}

SocketScan scan_listening_sockets(const SocketScanOptions& options, const ProcReader* reader) {
  std::unique_ptr<ProcReader> owned;
  if (reader == nullptr) {
    owned = system_reader();
    reader = owned.get();
  }
  SocketScan scan;
  std::vector<Candidate> candidates;
  read_tables(options, *reader, scan, candidates);
  if (!scan.available) {
    return scan;
  }
  std::set<uint64_t> unreadable;
  const auto owners = map_owners(options, *reader, candidates, unreadable, scan);
  std::map<uint64_t, ProcessInfo> processes;
  for (const auto& entry : owners) {
    if (!processes.contains(entry.second)) {
      processes.emplace(entry.second, describe_process(options, *reader, entry.second, unreadable));
    }
  }
  std::set<std::string> executables;
  for (const auto& entry : processes) {
    if (!entry.second.executable.empty()) {
      executables.insert(entry.second.executable);
    }
  }
  const auto packages = dpkg_owners(options, *reader, executables, scan);
  scan.sockets.reserve(candidates.size());
  for (Candidate& candidate : candidates) {
    inventory::ListeningSocket& socket = candidate.socket;
    if (const auto owner = owners.find(candidate.inode); owner != owners.end()) {
      const ProcessInfo& process = processes.at(owner->second);
      socket.pid = static_cast<int64_t>(owner->second);
      socket.process_name = process.name;
      socket.executable = process.executable;
      if (const auto package = packages.find(process.executable); package != packages.end()) {
        socket.package = package->second;
      }
    }
    scan.sockets.push_back(std::move(socket));
  }
  std::sort(scan.sockets.begin(), scan.sockets.end(), [](const auto& left, const auto& right) {
    return std::tie(left.protocol, left.local_address, left.port, left.pid) <
           std::tie(right.protocol, right.local_address, right.port, right.pid);
  });
  // The same address and port in two tables (a dual-stack socket listed twice) is one socket.
  scan.sockets.erase(std::unique(scan.sockets.begin(), scan.sockets.end()), scan.sockets.end());
  scan.unreadable_processes = unreadable.size();
  if (!unreadable.empty()) {
    // No count in the message: it varies between collections and the document's hash must not.
    warn(scan, options.proc_root.string(),
         "some processes could not be read (permission denied); sockets they hold are reported "
         "without a process");
  }
  return scan;
}

}  // namespace vigil::agent
