#include "vulndb/signing.hpp"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <climits>
#include <fstream>

namespace vigil::vulndb {
namespace {

namespace fs = std::filesystem;

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

constexpr size_t kMaxKeyFileBytes = 64 * 1024;
constexpr size_t kEd25519SignatureBytes = 64;

// OpenSSL queues errors per thread; drain them so one failure cannot leak into later calls.
std::string openssl_error() {
  std::string message;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!message.empty()) {
      message += "; ";
    }
    message += buffer;
  }
  return message.empty() ? std::string("unknown OpenSSL error") : message;
}

// A PEM password callback that refuses: encrypted keys are reported, never prompted for.
int no_password(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*user*/) { return -1; }

Result<std::string> read_small_file(const fs::path& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) {
    return fail(Error::io("{}: {}", path.string(), ec.message()));
  }
  if (size > kMaxKeyFileBytes) {
    return fail(Error::parse("{}: {} bytes is too large for a key file", path.string(), size));
  }
  std::ifstream in(path, std::ios::binary);
  std::string data(static_cast<size_t>(size), '\0');
  in.read(data.data(), static_cast<std::streamsize>(size));
  if (!in) {
    return fail(Error::io("{}: cannot read", path.string()));
  }
  return data;
}

BioPtr memory_bio(std::string_view data) {
  return BioPtr(
      BIO_new_mem_buf(data.data(), static_cast<int>(std::min<size_t>(data.size(), INT_MAX))));
}

Result<std::string> raw_public_key(EVP_PKEY* key) {
  std::array<unsigned char, 32> raw{};
  size_t length = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, raw.data(), &length) != 1 || length != raw.size()) {
    return fail(Error::internal("cannot extract the raw Ed25519 public key: {}", openssl_error()));
  }
  return std::string(reinterpret_cast<const char*>(raw.data()), length);
}

std::string to_hex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t idx = 0; idx < size; ++idx) {
    out += kDigits[data[idx] >> 4];
    out += kDigits[data[idx] & 0x0f];
  }
  return out;
}

// Writes `data` to a new file (never an existing one) with `mode`, regardless of the umask.
Result<void> write_new_file(const fs::path& path, std::string_view data, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return fail(Error::io("{}: cannot create: {}", path.string(), std::strerror(errno)));
  }
  bool ok = ::fchmod(fd, mode) == 0;
  size_t written = 0;
  while (ok && written < data.size()) {
    const ssize_t got = ::write(fd, data.data() + written, data.size() - written);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    ok = got > 0;
    written += ok ? static_cast<size_t>(got) : 0;
  }
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok) {
    std::error_code ec;
    fs::remove(path, ec);
    return fail(Error::io("{}: write failed", path.string()));
  }
  return {};
}

}  // namespace

struct Sha256::Impl {
  MdCtxPtr ctx{EVP_MD_CTX_new()};
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  // Allocation failure here is not an input problem; the digest would be meaningless.
  if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx.get(), EVP_sha256(), nullptr) != 1) {
    std::abort();
  }
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(std::string_view data) {
  EVP_DigestUpdate(impl_->ctx.get(), data.data(), data.size());
}

std::string Sha256::hex_digest() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(impl_->ctx.get(), digest.data(), &length);
  return to_hex(digest.data(), length);
}

std::string sha256_hex(std::string_view data) {
  Sha256 hash;
  hash.update(data);
  return hash.hex_digest();
}

Result<std::string> sha256_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(Error::io("{}: cannot open for reading", path.string()));
  }
  Sha256 hash;
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    hash.update(std::string_view(buffer.data(), static_cast<size_t>(in.gcount())));
  }
  if (in.bad()) {
    return fail(Error::io("{}: read error", path.string()));
  }
  return hash.hex_digest();
}

struct PublicKey::Impl {
  PkeyPtr key;
  std::string id;
  std::string origin;
};

Result<PublicKey> PublicKey::from_pem(std::string_view pem, std::string_view name) {
  auto bio = memory_bio(pem);
  PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, no_password, nullptr));
  if (!key) {
    openssl_error();
    return fail(Error::parse("{}: not a PEM public key", name));
  }
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519) {
    return fail(Error::parse("{}: not an Ed25519 public key (only Ed25519 is accepted)", name));
  }
  VIGIL_ASSIGN_OR_RETURN(const auto raw, raw_public_key(key.get()));
  auto impl = std::make_shared<Impl>();
  impl->key = std::move(key);
  impl->id = sha256_hex(raw).substr(0, 16);
  impl->origin = std::string(name);
  return PublicKey(std::move(impl));
}

Result<PublicKey> PublicKey::load(const fs::path& path) {
  VIGIL_ASSIGN_OR_RETURN(const auto pem, read_small_file(path));
  return from_pem(pem, path.string());
}

const std::string& PublicKey::id() const { return impl_->id; }
const std::string& PublicKey::origin() const { return impl_->origin; }

bool PublicKey::verify(std::string_view message, std::string_view signature) const {
  if (signature.size() != kEd25519SignatureBytes) {
    return false;
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  // Ed25519 is "pure": no digest is configured, the whole message goes to DigestVerify.
  const bool ok =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  if (!ok) {
    ERR_clear_error();
  }
  return ok;
}

struct PrivateKey::Impl {
  PkeyPtr key;
  PublicKey public_key;
};

Result<PrivateKey> PrivateKey::load(const fs::path& path) {
  VIGIL_ASSIGN_OR_RETURN(const auto pem, read_small_file(path));
  auto bio = memory_bio(pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr));
  if (!key) {
    openssl_error();
    return fail(Error::parse("{}: not an unencrypted PEM private key", path.string()));
  }
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519) {
    return fail(
        Error::parse("{}: not an Ed25519 private key (only Ed25519 is accepted)", path.string()));
  }
  // Derive the public half through its PEM form so both classes share one parsing path.
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_PUBKEY(out.get(), key.get()) != 1) {
    return fail(
        Error::internal("{}: cannot derive the public key: {}", path.string(), openssl_error()));
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(out.get(), &data);
  VIGIL_ASSIGN_OR_RETURN(
      auto public_key,
      PublicKey::from_pem(std::string_view(data, static_cast<size_t>(length)), path.string()));
  auto impl = std::make_shared<Impl>(Impl{std::move(key), std::move(public_key)});
  return PrivateKey(std::move(impl));
}

Result<std::string> PrivateKey::sign(std::string_view message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::string signature(kEd25519SignatureBytes, '\0');
  size_t length = signature.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      length != kEd25519SignatureBytes) {
    return fail(Error::internal("Ed25519 signing failed: {}", openssl_error()));
  }
  return signature;
}

const PublicKey& PrivateKey::public_key() const { return impl_->public_key; }

Result<std::string> generate_key_pair(const fs::path& private_path, const fs::path& public_path) {
  for (const auto& path : {private_path, public_path}) {
    std::error_code ec;
    if (fs::exists(fs::symlink_status(path, ec))) {
      return fail(
          Error::conflict("{}: already exists; refusing to overwrite a key", path.string()));
    }
  }
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
  EVP_PKEY* raw_key = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw_key) != 1) {
    return fail(Error::internal("Ed25519 key generation failed: {}", openssl_error()));
  }
  PkeyPtr key(raw_key);
  const auto pem = [&key](bool private_part) -> Result<std::string> {
    BioPtr bio(BIO_new(BIO_s_mem()));
    const int rc = private_part ? PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr,
                                                           0, nullptr, nullptr)
                                : PEM_write_bio_PUBKEY(bio.get(), key.get());
    if (!bio || rc != 1) {
      return fail(Error::internal("cannot encode the key as PEM: {}", openssl_error()));
    }
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(length));
  };
  VIGIL_ASSIGN_OR_RETURN(const auto private_pem, pem(true));
  VIGIL_ASSIGN_OR_RETURN(const auto public_pem, pem(false));
  VIGIL_ASSIGN_OR_RETURN(auto public_key, PublicKey::from_pem(public_pem, public_path.string()));
  VIGIL_TRY(write_new_file(private_path, private_pem, 0600));
  if (auto written = write_new_file(public_path, public_pem, 0644); !written) {
    std::error_code ec;
    fs::remove(private_path, ec);
    return fail(written.error());
  }
  return public_key.id();
}

Result<std::vector<PublicKey>> load_trusted_keys(const std::vector<fs::path>& explicit_paths,
                                                 const fs::path& trusted_dir) {
  std::vector<PublicKey> keys;
  for (const auto& path : explicit_paths) {
    VIGIL_ASSIGN_OR_RETURN(auto key, PublicKey::load(path));
    keys.push_back(std::move(key));
  }
  std::error_code ec;
  if (!fs::is_directory(trusted_dir, ec)) {
    return keys;
  }
  std::vector<fs::path> files;
  for (fs::directory_iterator it(trusted_dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".pem") {
      files.push_back(it->path());
    }
  }
  if (ec) {
    return fail(Error::io("{}: {}", trusted_dir.string(), ec.message()));
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    VIGIL_ASSIGN_OR_RETURN(auto key, PublicKey::load(path));
    keys.push_back(std::move(key));
  }
  return keys;
}

std::string base64_encode(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t pos = 0;
  for (; pos + 3 <= data.size(); pos += 3) {
    const uint32_t group = (static_cast<uint32_t>(static_cast<unsigned char>(data[pos])) << 16) |
                           (static_cast<uint32_t>(static_cast<unsigned char>(data[pos + 1])) << 8) |
                           static_cast<unsigned char>(data[pos + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) {
      out += kAlphabet[(group >> shift) & 0x3f];
    }
  }
  const size_t rest = data.size() - pos;
  if (rest > 0) {
    uint32_t group = static_cast<uint32_t>(static_cast<unsigned char>(data[pos])) << 16;
    if (rest == 2) {
      group |= static_cast<uint32_t>(static_cast<unsigned char>(data[pos + 1])) << 8;
    }
    out += kAlphabet[(group >> 18) & 0x3f];
    out += kAlphabet[(group >> 12) & 0x3f];
    out += rest == 2 ? kAlphabet[(group >> 6) & 0x3f] : '=';
    out += '=';
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  const auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '+' ? 62 : c == '/' ? 63 : -1;
  };
  if (text.size() % 4 != 0) {
    return fail(Error::parse("base64 text length {} is not a multiple of 4", text.size()));
  }
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t pos = 0; pos < text.size(); pos += 4) {
    const bool last = pos + 4 == text.size();
    const size_t padding =
        last ? static_cast<size_t>(
                   std::count(text.begin() + static_cast<std::ptrdiff_t>(pos) + 2, text.end(), '='))
             : 0;
    uint32_t group = 0;
    for (size_t idx = 0; idx < 4; ++idx) {
      const char c = text[pos + idx];
      int digit = 0;
      if (c == '=' && idx >= 4 - padding) {
        digit = 0;
      } else {
        digit = value(c);
        if (digit < 0) {
          return fail(Error::parse("invalid base64 character at offset {}", pos + idx));
        }
      }
      group = (group << 6) | static_cast<uint32_t>(digit);
    }
    out += static_cast<char>((group >> 16) & 0xff);
    if (padding < 2) {
      out += static_cast<char>((group >> 8) & 0xff);
    }
    if (padding < 1) {
      out += static_cast<char>(group & 0xff);
    }
  }
  return out;
}

}  // namespace vigil::vulndb
