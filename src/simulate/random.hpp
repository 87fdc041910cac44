// A small seeded PRNG for the fleet simulator: splitmix64 seeding a xoshiro256** generator.
// Deterministic across platforms and runs (no std::random_device, no library distributions,
// whose output is implementation-defined), so the same seed gives byte-identical fleets.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::simulate {

class Rng {
 public:
  // Seeds the state from `seed` mixed with `stream` (a fixed id per generator part), so parts
  // draw independent sequences and adding draws to one part does not shift another.
  explicit Rng(uint64_t seed, uint64_t stream = 0) {
    uint64_t mix = seed ^ (stream * 0x9e3779b97f4a7c15ULL);
    for (auto& word : state_) {
      word = splitmix64(mix);
    }
  }

  uint64_t next() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t shifted = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= shifted;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, bound) (bound > 0), by rejection so there is no modulo bias.
  uint64_t below(uint64_t bound) {
    if (bound <= 1) {
      return 0;
    }
    const uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
    uint64_t value = next();
    while (value >= limit) {
      value = next();
    }
    return value % bound;
  }

  // Uniform in [low, high] (low <= high).
  uint64_t between(uint64_t low, uint64_t high) { return low + below(high - low + 1); }

  // True with probability percent/100.
  bool percent(uint64_t percent) { return below(100) < percent; }

  size_t index(size_t size) { return static_cast<size_t>(below(size)); }

  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[index(items.size())];
  }
  template <class T, size_t N>
  const T& pick(const std::array<T, N>& items) {
    return items[index(N)];
  }

  // `count` lower-case hex digits.
  std::string hex(size_t count) {
    static constexpr std::string_view kDigits = "0123456789abcdef";
    std::string out;
    out.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      out += kDigits[static_cast<size_t>(below(16))];
    }
    return out;
  }

  // `count` decimal digits, the first non-zero.
  std::string digits(size_t count) {
    std::string out;
    out.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      out += static_cast<char>('0' + (i == 0 ? between(1, 9) : below(10)));
    }
    return out;
  }

 private:
  static uint64_t rotl(uint64_t value, int shift) {
    return (value << shift) | (value >> (64 - shift));
  }
  static uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  std::array<uint64_t, 4> state_{};
};

}  // namespace vigil::simulate
