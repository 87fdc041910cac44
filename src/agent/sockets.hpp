// Listening sockets of a host, for the scorer's per-port reachability: the sockets of
// /proc/net/{tcp,tcp6,udp,udp6} that accept traffic, the process holding each (from the
// `socket:[inode]` links under /proc/<pid>/fd), its executable (/proc/<pid>/exe) and the OS
// package owning that executable (dpkg's var/lib/dpkg/info/*.list).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "inventory/agent_document.hpp"
#include "model/diagnostic.hpp"

namespace vigil::agent {

// Reads files, directories and symbolic links; the seam between the socket scan and the kernel,
// so tests can fail a read the way a real /proc does. Errors follow errno: kUnavailable for a
// permission error (EACCES, EPERM), kNotFound for an entry that vanished (ENOENT, ESRCH: a
// process exited), kIo otherwise; messages name the path.
class ProcReader {
 public:
  virtual ~ProcReader() = default;
  // Entry names of directory `path`, without "." and "..", in no particular order.
  [[nodiscard]] virtual Result<std::vector<std::string>> list(
      const std::filesystem::path& path) const = 0;
  // The target of symbolic link `path`, as stored.
  [[nodiscard]] virtual Result<std::string> read_link(const std::filesystem::path& path) const = 0;
  // Up to `max_bytes` of file `path` (proc files report no size: read to the end).
  [[nodiscard]] virtual Result<std::string> read(const std::filesystem::path& path,
                                                 size_t max_bytes) const = 0;
};

// The machine's own file system.
[[nodiscard]] std::unique_ptr<ProcReader> system_reader();

struct SocketScanOptions {
  std::filesystem::path proc_root = "/proc";  // the proc file system to read
  std::filesystem::path root = "/";           // where var/lib/dpkg/info is read
  size_t max_sockets = 4096;     // listening sockets kept (the rest dropped with a warning)
  size_t max_processes = 65536;  // /proc/<pid> directories examined
  size_t max_fds_per_process = 65536;
};

struct SocketScan {
  // False when /proc/net held none of the four tables (not a live proc file system): the
  // document then carries no listening sockets at all.
  bool available = false;
  // Sorted by protocol, address, port, pid; one entry per socket (the lowest pid holding it).
  std::vector<inventory::ListeningSocket> sockets;
  // Malformed table lines, dropped sockets, unreadable processes (summarised, not one each).
  std::vector<model::Diagnostic> diagnostics;
  size_t unreadable_processes = 0;  // fd directory or executable denied (permission)
  size_t malformed_lines = 0;
  bool truncated = false;  // a bound was hit
};

// Scans `options.proc_root`: TCP sockets in state LISTEN (0A) and UDP sockets that are bound to a
// port and not connected (state 07, remote address and port zero), from tcp, tcp6, udp and udp6
// under net/. Each socket's inode is looked up among the `socket:[inode]` links of
// /proc/<pid>/fd (pids in ascending order, so the lowest pid - usually the parent of a pre-fork
// server - wins); the pid's comm and exe give the process name and executable (" (deleted)"
// stripped), and dpkg's file lists under `options.root` give the owning package (an executable
// listed under /bin, /sbin or /lib also matches its /usr twin: merged /usr). RPM file lists are
// not read (the rpmdb cataloger exposes no file lists), so on RPM hosts `package` stays empty.
// Never fails: unreadable processes (permission) are counted and skipped, malformed lines are
// warnings, vanished processes are ignored. `reader` defaults to system_reader().
[[nodiscard]] SocketScan scan_listening_sockets(const SocketScanOptions& options,
                                                const ProcReader* reader = nullptr);

// Decodes a /proc/net address column ("0100007F:0016", or 32 hex digits for IPv6) into canonical
// address text and port; kParse for anything else.
[[nodiscard]] Result<std::pair<std::string, uint16_t>> decode_proc_address(std::string_view text);

}  // namespace vigil::agent
