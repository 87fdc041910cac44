// Access keys for SigV4: issuing (`vigil keys create`) and resolving an access key id to its
// secret, account and role. SigV4 verification needs the secret itself (it is the HMAC key), so
// secrets cannot be stored as one-way hashes; they are sealed with AES-256-GCM under a master
// key kept in <data dir>/master.key (mode 0600, created on first use). See docs/api.md.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/result.hpp"
#include "store/store.hpp"

namespace vigil::api {

inline constexpr std::string_view kRoleAdmin = "admin";
inline constexpr std::string_view kRoleMember = "member";
inline constexpr std::string_view kRoleReadOnly = "readonly";

// A key with its plaintext secret: printed once on creation, used in memory to verify.
struct ResolvedKey {
  std::string access_key_id;
  std::string secret;
  std::string account_id;
  std::string role;
};

class KeyVault {
 public:
  // Loads <data_dir>/master.key, creating it (32 random bytes, mode 0600) when absent. kIo when
  // it cannot be read or written, kInvalidArgument when it exists with the wrong size.
  [[nodiscard]] static Result<std::unique_ptr<KeyVault>> open(const std::filesystem::path& data_dir);

  // Creates a key for `account_id` (12 digits) with `role` (admin, member, readonly), stores
  // it sealed and returns it with the plaintext secret. kInvalidArgument for a bad account or
  // role; store errors pass through. Thread-safe.
  [[nodiscard]] Result<ResolvedKey> create(store::Store& store, const std::string& account_id,
                                           const std::string& role);

  // Resolves `access_key_id`; nullopt when unknown or disabled. Results are cached for
  // `cache_ttl` so that a hot key costs no store round trip. kInvalidArgument when a stored
  // secret does not unseal (another master key). Thread-safe.
  [[nodiscard]] Result<std::optional<ResolvedKey>> resolve(store::Store& store,
                                                           const std::string& access_key_id);

  // Seals / unseals one secret (bound to its key id); exposed for tests.
  [[nodiscard]] Result<std::string> seal(const std::string& access_key_id,
                                         const std::string& secret) const;
  [[nodiscard]] Result<std::string> unseal(const std::string& access_key_id,
                                           const std::string& sealed) const;

  std::chrono::seconds cache_ttl{30};

 private:
  explicit KeyVault(std::string master) : master_(std::move(master)) {}

  struct CacheEntry {
    std::optional<ResolvedKey> key;
    std::chrono::steady_clock::time_point expires;
  };
  std::string master_;
  std::mutex mutex_;
  std::unordered_map<std::string, CacheEntry> cache_;
};

}  // namespace vigil::api
