#include "api/keys.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "api/internal/crypto.hpp"
#include "core/strings.hpp"

namespace vigil::api {
namespace {

constexpr std::size_t kMasterKeySize = 32;
constexpr std::string_view kSealedPrefix = "aes256gcm:";
constexpr std::size_t kCacheLimit = 4096;

bool valid_account(std::string_view id) {
  return id.size() == 12 && std::all_of(id.begin(), id.end(), is_digit);
}

Result<std::string> read_master(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(Error::io("{}: cannot read", path.string()));
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() != kMasterKeySize) {
    return fail(Error::invalid_argument("{}: master key must be {} bytes, found {}", path.string(),
                                        kMasterKeySize, bytes.size()));
  }
  return bytes;
}

Result<std::string> create_master(const std::filesystem::path& path) {
  VIGIL_ASSIGN_OR_RETURN(std::string bytes, internal::random_bytes(kMasterKeySize));
  // O_EXCL: two processes racing to create it must not both write one.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return read_master(path);
    }
    return fail(Error::io("{}: cannot create: {}", path.string(), std::strerror(errno)));
  }
  const ssize_t written = ::write(fd, bytes.data(), bytes.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (written != static_cast<ssize_t>(bytes.size()) || !synced) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return fail(Error::io("{}: cannot write the master key", path.string()));
  }
  return bytes;
}

std::string random_from(std::string_view alphabet, std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (const char byte : bytes) {
    out += alphabet[static_cast<unsigned char>(byte) % alphabet.size()];
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<KeyVault>> KeyVault::open(const std::filesystem::path& data_dir) {
  std::error_code error;
  std::filesystem::create_directories(data_dir, error);
  if (error) {
    return fail(Error::io("{}: cannot create directory: {}", data_dir.string(), error.message()));
  }
  const std::filesystem::path path = data_dir / "master.key";
  Result<std::string> master =
      std::filesystem::exists(path, error) ? read_master(path) : create_master(path);
  if (!master) {
    return fail(master.error());
  }
  return std::unique_ptr<KeyVault>(new KeyVault(std::move(*master)));
}

Result<std::string> KeyVault::seal(const std::string& access_key_id, const std::string& secret) const {
  VIGIL_ASSIGN_OR_RETURN(const std::string sealed,
                         internal::aes_gcm_seal(master_, secret, access_key_id));
  return fmt::format("{}{}", kSealedPrefix, internal::base64url_encode(sealed));
}

Result<std::string> KeyVault::unseal(const std::string& access_key_id,
                                     const std::string& sealed) const {
  if (sealed.compare(0, kSealedPrefix.size(), kSealedPrefix) != 0) {
    return fail(Error::invalid_argument("access key {}: secret is not sealed", access_key_id));
  }
  auto bytes = internal::base64url_decode(std::string_view(sealed).substr(kSealedPrefix.size()));
  if (!bytes) {
    return fail(bytes.error().with_context(fmt::format("access key {}", access_key_id)));
  }
  auto plain = internal::aes_gcm_open(master_, *bytes, access_key_id);
  if (!plain) {
    return fail(plain.error().with_context(fmt::format("access key {}", access_key_id)));
  }
  return plain;
}

Result<ResolvedKey> KeyVault::create(store::Store& store, const std::string& account_id,
                                     const std::string& role) {
  if (!valid_account(account_id)) {
    return fail(Error::invalid_argument("account id '{}' must be 12 digits", account_id));
  }
  if (role != kRoleAdmin && role != kRoleMember && role != kRoleReadOnly) {
    return fail(Error::invalid_argument("role '{}' must be admin, member or readonly", role));
  }
  VIGIL_ASSIGN_OR_RETURN(const std::string id_bytes, internal::random_bytes(16));
  VIGIL_ASSIGN_OR_RETURN(const std::string secret_bytes, internal::random_bytes(30));
  ResolvedKey key;
  key.access_key_id = "AKIA" + random_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", id_bytes);
  key.secret = internal::base64url_encode(secret_bytes);
  key.account_id = account_id;
  key.role = role;
  store::AccessKey record;
  record.access_key_id = key.access_key_id;
  VIGIL_ASSIGN_OR_RETURN(record.secret, seal(key.access_key_id, key.secret));
  record.account_id = account_id;
  record.role = role;
  record.created_at = store::now_ms();
  VIGIL_TRY(store.put_key(record));
  return key;
}

Result<std::optional<ResolvedKey>> KeyVault::resolve(store::Store& store,
                                                     const std::string& access_key_id) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    const auto found = cache_.find(access_key_id);
    if (found != cache_.end() && found->second.expires > now) {
      return found->second.key;
    }
  }
  VIGIL_ASSIGN_OR_RETURN(const std::optional<store::AccessKey> record, store.key(access_key_id));
  std::optional<ResolvedKey> resolved;
  if (record && !record->disabled) {
    VIGIL_ASSIGN_OR_RETURN(std::string secret, unseal(record->access_key_id, record->secret));
    resolved = ResolvedKey{record->access_key_id, std::move(secret), record->account_id,
                           record->role};
  }
  std::lock_guard lock(mutex_);
  if (cache_.size() >= kCacheLimit) {
    cache_.clear();  // unknown-key floods must not grow memory without bound
  }
  // Misses are cached briefly only, so a key created while the server runs works at once.
  const auto ttl = resolved ? cache_ttl : std::min(cache_ttl, std::chrono::seconds(2));
  cache_[access_key_id] = CacheEntry{resolved, now + ttl};
  return resolved;
}

}  // namespace vigil::api
