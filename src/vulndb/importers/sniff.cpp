#include "vulndb/importers/sniff.hpp"

#include <array>
#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vigil::vulndb::json {
namespace {

constexpr size_t kKeyCount = std::size(kSniffKeys);
static_assert(kKeyCount <= 32, "the scan keeps one bit per key");

// The longest text between quotes any key has (its length without the two quotes).
constexpr size_t kMaxInner = [] {
  size_t longest = 0;
  for (const auto key : kSniffKeys) {
    longest = key.size() - 2 > longest ? key.size() - 2 : longest;
  }
  return longest;
}();
static_assert(kMaxInner < 64, "inner lengths index a 64-bit mask");

// Bit n set when some key has n bytes between its quotes: most quoted spans are rejected on
// their length alone.
constexpr uint64_t kInnerLengths = [] {
  uint64_t mask = 0;
  for (const auto key : kSniffKeys) {
    mask |= uint64_t{1} << (key.size() - 2);
  }
  return mask;
}();

constexpr bool well_formed() {
  for (const auto key : kSniffKeys) {
    if (key.size() < 3 || key.front() != '"' || key.back() != '"') {
      return false;
    }
    for (const char c : key.substr(1, key.size() - 2)) {
      if (c == '"') {
        return false;
      }
    }
  }
  return true;
}
static_assert(well_formed(), "every key is a quote-free text between two quotes");

// For each inner length, the keys of that length (indices into kSniffKeys), so a quoted span is
// compared only with keys it could be.
struct ByLength {
  std::array<std::array<uint8_t, kKeyCount>, kMaxInner + 1> keys{};
  std::array<uint8_t, kMaxInner + 1> count{};
};
constexpr ByLength kByLength = [] {
  ByLength table;
  for (size_t idx = 0; idx < kKeyCount; ++idx) {
    const size_t inner = kSniffKeys[idx].size() - 2;
    table.keys[inner][table.count[inner]++] = static_cast<uint8_t>(idx);
  }
  return table;
}();

// A 512-bit filter over (inner length, first byte, last byte) of the keys: a quoted span whose
// triple misses it (most do) is rejected without looking at the key table.
constexpr size_t filter_slot(size_t inner, unsigned char first, unsigned char last) {
  return (inner * 37 + first * 7 + last * 3) & 511U;
}
constexpr std::array<uint64_t, 8> kFilter = [] {
  std::array<uint64_t, 8> bits{};
  for (const auto key : kSniffKeys) {
    const size_t inner = key.size() - 2;
    const size_t slot = filter_slot(inner, static_cast<unsigned char>(key[1]),
                                    static_cast<unsigned char>(key[inner]));
    bits[slot / 64] |= uint64_t{1} << (slot % 64);
  }
  return bits;
}();

// Bytes of `word` equal to '"' marked by their high bit (exact: no borrow between bytes).
uint64_t quote_bytes(uint64_t word) {
  constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
  const uint64_t zeroed = word ^ 0x2222222222222222ULL;  // '"' bytes become 0
  return ~(((zeroed & kLow7) + kLow7) | zeroed | kLow7);
}

thread_local const HeadScan* g_active = nullptr;

}  // namespace

int sniff_key_index(std::string_view needle) {
  if (needle.size() < 3 || needle.size() - 2 > kMaxInner) {
    return -1;
  }
  const size_t inner = needle.size() - 2;
  for (size_t at = 0; at < kByLength.count[inner]; ++at) {
    const size_t idx = kByLength.keys[inner][at];
    if (kSniffKeys[idx] == needle) {
      return static_cast<int>(idx);
    }
  }
  return -1;
}

uint32_t scan_sniff_keys(std::string_view head) {
  uint32_t found = 0;
  const char* const data = head.data();
  const size_t size = head.size();
  size_t previous = size;  // position of the last quote seen; size = none yet
  const auto on_quote = [&](size_t pos) {
    if (previous != size) {
      const size_t inner = pos - previous - 1;
      const char* span = data + previous + 1;
      if (inner <= kMaxInner && ((kInnerLengths >> inner) & 1U) != 0) {
        const size_t slot = filter_slot(inner, static_cast<unsigned char>(span[0]),
                                        static_cast<unsigned char>(span[inner - 1]));
        if (((kFilter[slot / 64] >> (slot % 64)) & 1U) == 0) {
          previous = pos;
          return;
        }
        for (size_t at = 0; at < kByLength.count[inner]; ++at) {
          const size_t idx = kByLength.keys[inner][at];
          const char* key = kSniffKeys[idx].data() + 1;
          if (span[0] == key[0] && span[inner - 1] == key[inner - 1] &&
              std::memcmp(span, key, inner) == 0) {
            found |= uint32_t{1} << idx;
          }
        }
      }
    }
    previous = pos;
  };
  size_t pos = 0;
#if defined(__SSE2__)
  // Sixteen bytes at a time where SSE2 exists (every x86-64): one compare and one movemask.
  const __m128i quote = _mm_set1_epi8('"');
  for (; pos + 16 <= size; pos += 16) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + pos));
    for (auto mask = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, quote)));
         mask != 0; mask &= mask - 1) {
      on_quote(pos + static_cast<size_t>(__builtin_ctz(mask)));
    }
  }
#endif
  // Eight bytes at a time on little-endian machines (the lowest set bit is the earliest byte).
  const size_t words_end = std::endian::native == std::endian::little ? size / 8 * 8 : 0;
  for (; pos < words_end; pos += 8) {
    uint64_t word = 0;
    std::memcpy(&word, data + pos, 8);
    for (uint64_t quotes = quote_bytes(word); quotes != 0; quotes &= quotes - 1) {
      on_quote(pos + static_cast<size_t>(__builtin_ctzll(quotes)) / 8);
    }
  }
  for (; pos < size; ++pos) {
    if (data[pos] == '"') {
      on_quote(pos);
    }
  }
  return found;
}

HeadScan::HeadScan(std::string_view text) : text_(text), previous_(g_active) { g_active = this; }

HeadScan::~HeadScan() { g_active = previous_; }

const HeadScan* HeadScan::active_for(std::string_view text) {
  const HeadScan* scan = g_active;
  return scan != nullptr && scan->text_.data() == text.data() && scan->text_.size() == text.size()
             ? scan
             : nullptr;
}

bool HeadScan::contains(int key_index) const {
  if (!scanned_) {
    keys_ = scan_sniff_keys(text_.substr(0, kSniffWindow));
    scanned_ = true;
  }
  return ((keys_ >> key_index) & 1U) != 0;
}

}  // namespace vigil::vulndb::json
