// SHA-256 through OpenSSL's EVP interface (the low-level SHA256_* calls are deprecated in 3.0).
#include "sources/digest.hpp"

#include <openssl/evp.h>

#include <array>
#include <new>
#include <utility>

namespace vigil::sources {

struct Sha256::State {
  EVP_MD_CTX* ctx = nullptr;
  bool started = false;

  State() : ctx(EVP_MD_CTX_new()) {
    if (ctx == nullptr) {
      throw std::bad_alloc();
    }
  }
  ~State() { EVP_MD_CTX_free(ctx); }
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  void start() {
    if (!started) {
      // EVP_sha256 initialisation only fails on allocation failure.
      if (EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
        throw std::bad_alloc();
      }
      started = true;
    }
  }
};

Sha256::Sha256() : state_(std::make_unique<State>()) {}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&& other) noexcept = default;
Sha256& Sha256::operator=(Sha256&& other) noexcept = default;

void Sha256::update(const void* data, size_t size) {
  state_->start();
  if (size > 0) {
    EVP_DigestUpdate(state_->ctx, data, size);
  }
}

std::string Sha256::finish() {
  state_->start();
  std::array<unsigned char, EVP_MAX_MD_SIZE> raw{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(state_->ctx, raw.data(), &length);
  state_->started = false;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  out.reserve(7 + 2 * length);
  for (unsigned int idx = 0; idx < length; ++idx) {
    out.push_back(kHex[raw[idx] >> 4]);
    out.push_back(kHex[raw[idx] & 0x0f]);
  }
  return out;
}

std::string sha256_digest(std::string_view data) {
  Sha256 hasher;
  hasher.update(data);
  return hasher.finish();
}

Result<void> check_sha256_digest(std::string_view digest) {
  const std::string_view quoted = digest.substr(0, 100);
  if (!digest.starts_with("sha256:")) {
    const size_t colon = digest.find(':');
    if (colon != std::string_view::npos && colon > 0) {
      const std::string_view algorithm = digest.substr(0, colon);
      if (algorithm == "sha512" || algorithm == "sha384" || algorithm == "blake3") {
        return fail(Error::unsupported("digest '{}': only sha256 digests are supported", quoted));
      }
    }
    return fail(Error::parse("digest '{}': expected 'sha256:' and 64 hex digits", quoted));
  }
  const std::string_view hex = digest.substr(7);
  if (hex.size() != 64) {
    return fail(Error::parse("digest '{}': expected 64 hex digits after 'sha256:'", quoted));
  }
  for (const char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return fail(Error::parse("digest '{}': not lower-case hex", quoted));
    }
  }
  return {};
}

}  // namespace vigil::sources
