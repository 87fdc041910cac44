#include "agent/sockets.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "agent/collect.hpp"
#include "support/temp_dir.hpp"

namespace vigil::agent {
namespace {

namespace fs = std::filesystem;

using inventory::ListeningSocket;

struct AddressCase {
  const char* text;
  const char* address;  // nullptr: must fail
  uint16_t port;
};

TEST(ProcAddressTest, DecodesIpv4AndIpv6Columns) {
  // Words are printed in host byte order; these fixtures assume a little-endian host.
  const std::vector<AddressCase> cases = {
      {"0100007F:0016", "127.0.0.1", 22},
      {"00000000:01BB", "0.0.0.0", 443},
      {"0A00A8C0:1F90", "192.168.0.10", 8080},
      {"00000000000000000000000000000000:0050", "::", 80},
      {"00000000000000000000000001000000:0035", "::1", 53},
      {"0000000000000000FFFF00000100007F:0019", "::ffff:127.0.0.1", 25},
      {"B80D0120000000000000000001000000:FFFF", "2001:db8::1", 65535},
      {"0100007F", nullptr, 0},
      {"0100007F:16", nullptr, 0},
      {"0100007G:0016", nullptr, 0},
      {"01007F:0016", nullptr, 0},
      {":", nullptr, 0},
      {"", nullptr, 0},
  };
  for (const AddressCase& row : cases) {
    const auto decoded = decode_proc_address(row.text);
    if (row.address == nullptr) {
      EXPECT_FALSE(decoded) << row.text;
      continue;
    }
    ASSERT_TRUE(decoded) << row.text << ": " << decoded.error().message;
    EXPECT_EQ(decoded->first, row.address) << row.text;
    EXPECT_EQ(decoded->second, row.port) << row.text;
  }
}

constexpr const char* kHeader =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
    "inode\n";
constexpr const char* kTail = " 00000000:00000000 00:00000000 00000000     0        0 ";

std::string line(int slot, const std::string& local, const std::string& remote,
                 const std::string& state, int inode) {
  return "   " + std::to_string(slot) + ": " + local + " " + remote + " " + state + kTail +
         std::to_string(inode) + " 1 0000000000000000 100 0 0 10 0\n";
}

// A proc tree and a root with dpkg file lists:
//   tcp  0.0.0.0:443   inode 1001  nginx (pids 100 and 101)  /usr/sbin/nginx       nginx-core
//   tcp  127.0.0.1:5432 inode 1002 postgres (pid 200)       /usr/lib/postgresql/15/bin/postgres
//   tcp  established 10.0.0.5:443 -> 10.0.0.9:51000 (not listening), one malformed line
//   tcp6 :::22         inode 1003  sshd (pid 300)  "/usr/sbin/sshd (deleted)"    openssh-server
//   tcp6 :::8080       inode 1004  pid 400, whose fd directory is denied
//   udp  0.0.0.0:53    inode 1005  named (pid 500) /usr/sbin/named, listed as /sbin/named
//   udp  connected 0.0.0.0:5000 -> 10.0.0.1:53 (not listening)
//   udp6 ::1:123       inode 1006  held by no process
class ProcFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string any4 = "00000000:0000";
    const std::string any6 = "00000000000000000000000000000000:0000";
    dir_.write("proc/net/tcp", std::string(kHeader) + line(0, "00000000:01BB", any4, "0A", 1001) +
                                   line(1, "0100007F:1538", any4, "0A", 1002) +
                                   line(2, "0500000A:01BB", "0900000A:C738", "01", 1099) +
                                   "   3: garbage line\n");
    dir_.write("proc/net/tcp6",
               std::string(kHeader) +
                   line(0, "00000000000000000000000000000000:0016", any6, "0A", 1003) +
                   line(1, "00000000000000000000000000000000:1F90", any6, "0A", 1004));
    dir_.write("proc/net/udp", std::string(kHeader) + line(0, "00000000:0035", any4, "07", 1005) +
                                   line(1, "00000000:1388", "0100000A:0035", "01", 1098));
    dir_.write(
        "proc/net/udp6",
        std::string(kHeader) + line(0, "00000000000000000000000001000000:007B", any6, "07", 1006));
    process(100, "nginx", "/usr/sbin/nginx", {{"0", "/dev/null"}, {"3", "socket:[1001]"}});
    process(101, "nginx", "/usr/sbin/nginx", {{"5", "socket:[1001]"}, {"6", "pipe:[77]"}});
    process(200, "postgres", "/usr/lib/postgresql/15/bin/postgres", {{"4", "socket:[1002]"}});
    process(300, "sshd", "/usr/sbin/sshd (deleted)", {{"3", "socket:[1003]"}});
    process(400, "secret", "/opt/secret/bin/daemon", {{"3", "socket:[1004]"}});
    process(500, "named", "/usr/sbin/named", {{"9", "socket:[1005]"}});
    dir_.write("proc/self/comm", "not a pid\n");
    dir_.write("root/var/lib/dpkg/info/nginx-core.list", "/.\n/usr\n/usr/sbin\n/usr/sbin/nginx\n");
    dir_.write("root/var/lib/dpkg/info/postgresql-15:amd64.list",
               "/usr/lib/postgresql/15/bin/postgres\n");
    dir_.write("root/var/lib/dpkg/info/openssh-server.list", "/usr/sbin/sshd\n");
    dir_.write("root/var/lib/dpkg/info/bind9.list", "/sbin/named\n");
    dir_.write("root/var/lib/dpkg/info/bind9.md5sums", "/usr/sbin/nginx\n");
    options_.proc_root = dir_.path() / "proc";
    options_.root = dir_.path() / "root";
  }

  void process(int pid, const std::string& comm, const std::string& exe,
               const std::vector<std::pair<std::string, std::string>>& fds) {
    const fs::path base = dir_.path() / "proc" / std::to_string(pid);
    dir_.write("proc/" + std::to_string(pid) + "/comm", comm + "\n");
    fs::create_symlink(exe, base / "exe");
    fs::create_directories(base / "fd");
    for (const auto& [fd, target] : fds) {
      fs::create_symlink(target, base / "fd" / fd);
    }
  }

  testing::TempDir dir_;
  SocketScanOptions options_;
};

// The real file system, but everything under one pid's fd directory is denied, as /proc does
// for another user's process (tests run as root, where chmod would not deny anything).
class DenyingReader final : public ProcReader {
 public:
  explicit DenyingReader(fs::path denied) : denied_(std::move(denied)), real_(system_reader()) {}

  Result<std::vector<std::string>> list(const fs::path& path) const override {
    if (path.string().starts_with(denied_.string())) {
      return fail(Error{ErrorCode::kUnavailable, path.string() + ": Permission denied"});
    }
    return real_->list(path);
  }
  Result<std::string> read_link(const fs::path& path) const override {
    if (path.string().starts_with(denied_.string())) {
      return fail(Error{ErrorCode::kUnavailable, path.string() + ": Permission denied"});
    }
    return real_->read_link(path);
  }
  Result<std::string> read(const fs::path& path, size_t max_bytes) const override {
    return real_->read(path, max_bytes);
  }

 private:
  fs::path denied_;
  std::unique_ptr<ProcReader> real_;
};

bool has_diagnostic(const SocketScan& scan, const std::string& part) {
  for (const auto& diagnostic : scan.diagnostics) {
    if (diagnostic.message.find(part) != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST_F(ProcFixture, MapsSocketsToProcessesExecutablesAndPackages) {
  const DenyingReader reader(options_.proc_root / "400" / "fd");
  const SocketScan scan = scan_listening_sockets(options_, &reader);
  ASSERT_TRUE(scan.available);
  const std::vector<ListeningSocket> expected = {
      {"tcp", "0.0.0.0", 443, 100, "nginx", "/usr/sbin/nginx", "nginx-core"},
      {"tcp", "127.0.0.1", 5432, 200, "postgres", "/usr/lib/postgresql/15/bin/postgres",
       "postgresql-15"},
      {"tcp", "::", 22, 300, "sshd", "/usr/sbin/sshd", "openssh-server"},
      {"tcp", "::", 8080, 0, "", "", ""},
      {"udp", "0.0.0.0", 53, 500, "named", "/usr/sbin/named", "bind9"},
      {"udp", "::1", 123, 0, "", "", ""},
  };
  EXPECT_EQ(scan.sockets, expected);
  EXPECT_EQ(scan.unreadable_processes, 1U);
  EXPECT_EQ(scan.malformed_lines, 1U);
  EXPECT_FALSE(scan.truncated);
  EXPECT_TRUE(has_diagnostic(scan, "malformed line skipped"));
  EXPECT_TRUE(has_diagnostic(scan, "permission denied"));
}

TEST_F(ProcFixture, WithTheSystemReaderEveryProcessIsReadable) {
  const SocketScan scan = scan_listening_sockets(options_);
  ASSERT_EQ(scan.sockets.size(), 6U);
  EXPECT_EQ(scan.sockets[3].pid, 400);
  EXPECT_EQ(scan.sockets[3].executable, "/opt/secret/bin/daemon");
  EXPECT_EQ(scan.sockets[3].package, "");  // no dpkg list names it
  EXPECT_EQ(scan.unreadable_processes, 0U);
}

TEST_F(ProcFixture, BoundsSocketsAndProcesses) {
  SocketScanOptions few = options_;
  few.max_sockets = 2;
  const SocketScan scan = scan_listening_sockets(few);
  EXPECT_EQ(scan.sockets.size(), 2U);
  EXPECT_TRUE(scan.truncated);
  EXPECT_TRUE(has_diagnostic(scan, "beyond the limit of 2"));

  SocketScanOptions one_process = options_;
  one_process.max_processes = 1;  // only pid 100
  const SocketScan limited = scan_listening_sockets(one_process);
  ASSERT_EQ(limited.sockets.size(), 6U);
  EXPECT_TRUE(limited.truncated);
  EXPECT_EQ(limited.sockets[0].pid, 100);
  EXPECT_EQ(limited.sockets[1].pid, 0);  // postgres (pid 200) was not examined
}

TEST_F(ProcFixture, ManyMalformedLinesAreSummarised) {
  std::string table = kHeader;
  for (int index = 0; index < 20; ++index) {
    table += "   " + std::to_string(index) + ": 0100007F:zzzz 00000000:0000 0A x x x x x 1\n";
  }
  dir_.write("proc/net/tcp", table);
  const SocketScan scan = scan_listening_sockets(options_);
  EXPECT_EQ(scan.malformed_lines, 20U);
  EXPECT_TRUE(has_diagnostic(scan, "20 malformed lines skipped in all"));
  EXPECT_LE(scan.diagnostics.size(), 7U);
  EXPECT_EQ(scan.sockets.size(), 4U);  // the tcp6, udp and udp6 ones are still read
}

TEST(SocketScanTest, NoProcFileSystemMeansNotAvailable) {
  const testing::TempDir dir;
  SocketScanOptions options;
  options.proc_root = dir.path() / "proc";
  options.root = dir.path();
  const SocketScan scan = scan_listening_sockets(options);
  EXPECT_FALSE(scan.available);
  EXPECT_TRUE(scan.sockets.empty());
  EXPECT_TRUE(scan.diagnostics.empty());
}

TEST(SocketScanTest, TheLiveProcFileSystemScansWithoutErrors) {
  if (!fs::exists("/proc/net/tcp")) {
    GTEST_SKIP() << "no /proc";
  }
  const SocketScan scan = scan_listening_sockets(SocketScanOptions{});
  EXPECT_TRUE(scan.available);
  EXPECT_EQ(scan.malformed_lines, 0U);
  for (const auto& socket : scan.sockets) {
    EXPECT_GT(socket.port, 0);
    EXPECT_TRUE(socket.protocol == "tcp" || socket.protocol == "udp");
  }
}

TEST_F(ProcFixture, CollectPutsTheSocketsIntoASchema2Document) {
  dir_.write("root/etc/hostname", "web-1\n");
  dir_.write("root/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
  CollectOptions options;
  options.root = options_.root;
  options.proc_root = options_.proc_root;
  options.agent_version = "1.0.0";
  const auto document = collect(options, std::chrono::system_clock::time_point{});
  ASSERT_TRUE(document) << document.error().message;
  EXPECT_EQ(document->schema_version, inventory::kAgentDocumentSocketsSchema);
  ASSERT_TRUE(document->listening_sockets);
  EXPECT_EQ(document->listening_sockets->size(), 6U);
  const auto parsed = inventory::parse_agent_document(inventory::write_agent_document(*document));
  ASSERT_TRUE(parsed) << parsed.error().message;
  // (Inventory::target is not part of the document: compare what is.)
  EXPECT_EQ(inventory::write_agent_document(*parsed), inventory::write_agent_document(*document));
  EXPECT_EQ(parsed->listening_sockets, document->listening_sockets);

  options.collect_sockets = false;
  const auto without = collect(options, std::chrono::system_clock::time_point{});
  ASSERT_TRUE(without) << without.error().message;
  EXPECT_FALSE(without->listening_sockets);
  EXPECT_EQ(without->schema_version, inventory::kAgentDocumentSchema);
}

}  // namespace
}  // namespace vigil::agent
