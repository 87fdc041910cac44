// CIDR parsing, formatting and set arithmetic over 128-bit prefixes.
#include "reachability/cidr.hpp"

#include <algorithm>
#include <array>
#include <tuple>
#include <utility>

namespace vigil::reachability {
namespace {

uint64_t hi_mask(unsigned prefix) {
  if (prefix == 0) {
    return 0;
  }
  return prefix >= 64 ? ~uint64_t{0} : ~uint64_t{0} << (64 - prefix);
}

uint64_t lo_mask(unsigned prefix) {
  if (prefix <= 64) {
    return 0;
  }
  return ~uint64_t{0} << (128 - prefix);
}

// The last address of `block`, as (hi, lo).
std::pair<uint64_t, uint64_t> last_address(const Cidr& block) {
  return {block.hi | ~hi_mask(block.prefix), block.lo | ~lo_mask(block.prefix)};
}

std::pair<uint64_t, uint64_t> first_address(const Cidr& block) { return {block.hi, block.lo}; }

bool less_block(const Cidr& lhs, const Cidr& rhs) {
  return std::tie(lhs.family, lhs.hi, lhs.lo, lhs.prefix) <
         std::tie(rhs.family, rhs.hi, rhs.lo, rhs.prefix);
}

// Sorts `blocks` (unless `sorted`) and drops every block contained in another; the survivors
// are disjoint.
std::vector<Cidr> normalize(std::vector<Cidr> blocks, bool sorted = false) {
  if (!sorted) {
    std::sort(blocks.begin(), blocks.end(), less_block);
  }
  std::vector<Cidr> out;
  out.reserve(blocks.size());
  for (const auto& block : blocks) {
    // Sorted by first address then prefix, a contained block always follows its container with
    // only other contained blocks in between.
    if (!out.empty() && contains(out.back(), block)) {
      continue;
    }
    out.push_back(block);
    // Two halves of one block become the block, so each set has one representation (the
    // minimal cover) and equal sets compare equal.
    while (out.size() >= 2) {
      const Cidr& low = out[out.size() - 2];
      const Cidr& high = out.back();
      if (low.family != high.family || low.prefix != high.prefix || low.prefix == 0) {
        break;
      }
      Cidr parent = low;
      parent.prefix = static_cast<uint8_t>(low.prefix - 1);
      parent.hi &= hi_mask(parent.prefix);
      parent.lo &= lo_mask(parent.prefix);
      if (parent.hi != low.hi || parent.lo != low.lo || !contains(parent, high)) {
        break;
      }
      out.pop_back();
      out.back() = parent;
    }
  }
  return out;
}

// The two halves of `block` (prefix + 1); `block` must not be a host block.
std::pair<Cidr, Cidr> halves(const Cidr& block) {
  Cidr low = block;
  low.prefix = static_cast<uint8_t>(block.prefix + 1);
  Cidr high = low;
  if (block.prefix < 64) {
    high.hi |= uint64_t{1} << (63 - block.prefix);
  } else {
    high.lo |= uint64_t{1} << (127 - block.prefix);
  }
  return {low, high};
}

// Appends the pieces of `outer` that are not in `inner` (outer strictly contains inner).
void split_around(const Cidr& outer, const Cidr& inner, std::vector<Cidr>& out) {
  Cidr current = outer;
  while (current.prefix < inner.prefix) {
    auto [low, high] = halves(current);
    if (contains(low, inner)) {
      out.push_back(high);
      current = low;
    } else {
      out.push_back(low);
      current = high;
    }
  }
}

bool parse_decimal(std::string_view text, unsigned max, unsigned& value) {
  if (text.empty() || text.size() > 3) {
    return false;
  }
  unsigned result = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return false;
    }
    result = result * 10 + static_cast<unsigned>(c - '0');
  }
  if (result > max) {
    return false;
  }
  value = result;
  return true;
}

bool parse_v4(std::string_view text, uint64_t& hi) {
  uint64_t address = 0;
  int octets = 0;
  size_t start = 0;
  while (true) {
    const size_t dot = text.find('.', start);
    const std::string_view part =
        text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    unsigned octet = 0;
    if (!parse_decimal(part, 255, octet) || octets == 4) {
      return false;
    }
    address = (address << 8) | octet;
    ++octets;
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }
  if (octets != 4) {
    return false;
  }
  hi = address << 32;
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// Parses colon-separated hex groups; appends them to `groups`. False on a malformed group.
bool parse_groups(std::string_view text, std::vector<uint16_t>& groups) {
  if (text.empty()) {
    return true;
  }
  size_t start = 0;
  while (true) {
    const size_t colon = text.find(':', start);
    const std::string_view part =
        text.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start);
    if (part.empty() || part.size() > 4 || groups.size() >= 8) {
      return false;
    }
    unsigned value = 0;
    for (char c : part) {
      const int digit = hex_value(c);
      if (digit < 0) {
        return false;
      }
      value = value * 16 + static_cast<unsigned>(digit);
    }
    groups.push_back(static_cast<uint16_t>(value));
    if (colon == std::string_view::npos) {
      return true;
    }
    start = colon + 1;
  }
}

bool parse_v6(std::string_view text, uint64_t& hi, uint64_t& lo) {
  std::vector<uint16_t> head;
  std::vector<uint16_t> tail;
  const size_t gap = text.find("::");
  if (gap == std::string_view::npos) {
    if (!parse_groups(text, head) || head.size() != 8) {
      return false;
    }
  } else {
    if (text.find("::", gap + 1) != std::string_view::npos) {
      return false;
    }
    if (!parse_groups(text.substr(0, gap), head) || !parse_groups(text.substr(gap + 2), tail) ||
        head.size() + tail.size() > 7) {
      return false;
    }
    head.resize(8 - tail.size(), 0);
    head.insert(head.end(), tail.begin(), tail.end());
  }
  hi = 0;
  lo = 0;
  for (size_t group = 0; group < 4; ++group) {
    hi = (hi << 16) | head[group];
    lo = (lo << 16) | head[group + 4];
  }
  return true;
}

}  // namespace

Result<Cidr> parse_cidr(std::string_view text) {
  const size_t slash = text.find('/');
  const std::string_view address = text.substr(0, slash);
  Cidr cidr;
  if (address.find(':') != std::string_view::npos) {
    cidr.family = IpFamily::kV6;
    if (!parse_v6(address, cidr.hi, cidr.lo)) {
      return fail(Error::parse("\"{}\" is not an IPv6 address or CIDR block", text));
    }
  } else if (!parse_v4(address, cidr.hi)) {
    return fail(Error::parse("\"{}\" is not an IPv4 address or CIDR block", text));
  }
  cidr.prefix = cidr.max_prefix();
  if (slash != std::string_view::npos) {
    unsigned prefix = 0;
    if (!parse_decimal(text.substr(slash + 1), cidr.max_prefix(), prefix)) {
      return fail(Error::parse("\"{}\": prefix length must be 0-{}", text, cidr.max_prefix()));
    }
    cidr.prefix = static_cast<uint8_t>(prefix);
  }
  cidr.hi &= hi_mask(cidr.prefix);
  cidr.lo &= lo_mask(cidr.prefix);
  return cidr;
}

std::string format_cidr(const Cidr& cidr) {
  if (cidr.family == IpFamily::kV4) {
    const auto address = static_cast<uint32_t>(cidr.hi >> 32);
    return fmt::format("{}.{}.{}.{}/{}", address >> 24, (address >> 16) & 0xff,
                       (address >> 8) & 0xff, address & 0xff, cidr.prefix);
  }
  std::array<uint16_t, 8> groups{};
  for (size_t group = 0; group < 4; ++group) {
    groups[group] = static_cast<uint16_t>(cidr.hi >> (48 - 16 * group));
    groups[group + 4] = static_cast<uint16_t>(cidr.lo >> (48 - 16 * group));
  }
  // RFC 5952 section 4.2: compress the longest run of two or more zero groups (the first on a tie).
  size_t best_start = 8;
  size_t best_length = 1;
  for (size_t start = 0; start < 8;) {
    if (groups[start] != 0) {
      ++start;
      continue;
    }
    size_t end = start;
    while (end < 8 && groups[end] == 0) {
      ++end;
    }
    if (end - start > best_length) {
      best_start = start;
      best_length = end - start;
    }
    start = end;
  }
  std::string out;
  for (size_t group = 0; group < 8; ++group) {
    if (group == best_start) {
      out += "::";
      group += best_length - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') {
      out.push_back(':');
    }
    out += fmt::format("{:x}", groups[group]);
  }
  return fmt::format("{}/{}", out, cidr.prefix);
}

bool contains(const Cidr& outer, const Cidr& inner) {
  return outer.family == inner.family && outer.prefix <= inner.prefix &&
         (inner.hi & hi_mask(outer.prefix)) == outer.hi &&
         (inner.lo & lo_mask(outer.prefix)) == outer.lo;
}

bool overlaps(const Cidr& lhs, const Cidr& rhs) { return contains(lhs, rhs) || contains(rhs, lhs); }

CidrSet::CidrSet(std::vector<Cidr> blocks) : blocks_(normalize(std::move(blocks))) {}

CidrSet CidrSet::universe() {
  Cidr v4;
  Cidr v6;
  v6.family = IpFamily::kV6;
  return CidrSet({v4, v6});
}

CidrSet CidrSet::united(const CidrSet& other) const {
  if (other.empty()) {
    return *this;
  }
  if (empty()) {
    return other;
  }
  std::vector<Cidr> all = blocks_;
  all.insert(all.end(), other.blocks_.begin(), other.blocks_.end());
  return CidrSet(std::move(all));
}

CidrSet CidrSet::intersected(const CidrSet& other) const {
  CidrSet out;
  size_t left = 0;
  size_t right = 0;
  // Both lists are sorted and disjoint: walk them together, emitting the inner block of every
  // nested pair and advancing whichever block ends first.
  while (left < blocks_.size() && right < other.blocks_.size()) {
    const Cidr& a = blocks_[left];
    const Cidr& b = other.blocks_[right];
    if (contains(a, b)) {
      out.blocks_.push_back(b);
      ++right;
      continue;
    }
    if (contains(b, a)) {
      out.blocks_.push_back(a);
      ++left;
      continue;
    }
    const auto a_end = std::make_pair(a.family, last_address(a));
    const auto b_end = std::make_pair(b.family, last_address(b));
    if (a_end < b_end) {
      ++left;
    } else {
      ++right;
    }
  }
  out.blocks_ = normalize(std::move(out.blocks_), true);
  return out;
}

bool CidrSet::intersects(const CidrSet& other) const {
  size_t left = 0;
  size_t right = 0;
  while (left < blocks_.size() && right < other.blocks_.size()) {
    const Cidr& a = blocks_[left];
    const Cidr& b = other.blocks_[right];
    if (overlaps(a, b)) {
      return true;
    }
    const auto a_end = std::make_pair(a.family, last_address(a));
    const auto b_end = std::make_pair(b.family, last_address(b));
    if (a_end < b_end) {
      ++left;
    } else {
      ++right;
    }
  }
  return false;
}

bool CidrSet::intersects(const Cidr& block) const {
  // The first block whose end is at or after `block`'s start is the only candidate.
  const auto start = std::make_pair(block.family, first_address(block));
  const auto it = std::lower_bound(blocks_.begin(), blocks_.end(), start,
                                   [](const Cidr& member, const auto& key) {
                                     return std::make_pair(member.family, last_address(member)) < key;
                                   });
  return it != blocks_.end() && overlaps(*it, block);
}

CidrSet CidrSet::minus(const Cidr& block) const {
  std::vector<Cidr> out;
  out.reserve(blocks_.size());
  bool split = false;
  for (const auto& member : blocks_) {
    if (!overlaps(member, block)) {
      out.push_back(member);
    } else if (!contains(block, member)) {
      split_around(member, block, out);
      split = true;
    }
  }
  CidrSet result;
  result.blocks_ = split ? normalize(std::move(out)) : std::move(out);
  return result;
}

CidrSet CidrSet::minus(const CidrSet& other) const {
  CidrSet result = *this;
  for (const auto& block : other.blocks_) {
    if (result.empty()) {
      break;
    }
    if (result.intersects(block)) {
      result = result.minus(block);
    }
  }
  return result;
}

bool CidrSet::has_family(IpFamily family) const {
  return std::any_of(blocks_.begin(), blocks_.end(),
                     [family](const Cidr& block) { return block.family == family; });
}

const CidrSet& public_internet() {
  static const CidrSet kPublic = [] {
    CidrSet set = CidrSet::universe();
    for (const char* text : {"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
                             "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/3",
                             "::/0"}) {
      set = set.minus(*parse_cidr(text));
    }
    return set.united(CidrSet({*parse_cidr("2000::/3")}));
  }();
  return kPublic;
}

}  // namespace vigil::reachability
