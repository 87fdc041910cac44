// IPv4 and IPv6 addresses, CIDR blocks and sets of blocks: the arithmetic the reachability
// analysis uses to intersect security-group sources, NACL rules and route destinations.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace vigil::reachability {

enum class IpFamily : uint8_t { kV4, kV6 };

// A CIDR block. IPv4 addresses sit in the top 32 bits of `hi` so that prefix arithmetic is the
// same for both families; host bits below `prefix` are always zero. Blocks of different
// families never contain or overlap each other (::/0 does not contain 10.0.0.0/8).
struct Cidr {
  IpFamily family = IpFamily::kV4;
  uint8_t prefix = 0;  // 0..32 (IPv4) or 0..128 (IPv6)
  uint64_t hi = 0;
  uint64_t lo = 0;

  // The largest prefix length of the family (32 or 128).
  [[nodiscard]] uint8_t max_prefix() const { return family == IpFamily::kV4 ? 32 : 128; }

  friend bool operator==(const Cidr&, const Cidr&) = default;
};

// Parses "10.0.0.0/16", "2600:1f18::/56", or a bare address ("10.0.1.5", "2600::1") as a host
// block (/32 or /128). Host bits set below the prefix are cleared ("10.0.0.5/24" is
// 10.0.0.0/24), as AWS does. Returns kParse naming `text` for anything else: a bad octet, a
// prefix out of range, more than one "::", an embedded IPv4 tail in IPv6, zone ids.
[[nodiscard]] Result<Cidr> parse_cidr(std::string_view text);

// Formats `cidr` canonically: dotted quad for IPv4, RFC 5952 for IPv6 (longest zero run
// compressed, lower case), always with "/prefix".
std::string format_cidr(const Cidr& cidr);

// True if every address of `inner` is in `outer` (same family and outer's prefix a prefix of
// inner's).
bool contains(const Cidr& outer, const Cidr& inner);

// True if the blocks share an address. Two CIDR blocks either nest or are disjoint.
bool overlaps(const Cidr& lhs, const Cidr& rhs);

// A set of addresses kept as sorted, pairwise-disjoint CIDR blocks. Value type; cheap to copy
// when small. All operations are exact (no approximation), and results stay disjoint.
class CidrSet {
 public:
  CidrSet() = default;
  // The union of `blocks` (in any order, overlapping allowed).
  explicit CidrSet(std::vector<Cidr> blocks);

  // Every IPv4 and every IPv6 address.
  static CidrSet universe();

  [[nodiscard]] bool empty() const { return blocks_.empty(); }
  [[nodiscard]] const std::vector<Cidr>& blocks() const { return blocks_; }

  // The union with `other`.
  [[nodiscard]] CidrSet united(const CidrSet& other) const;
  // The addresses in both sets.
  [[nodiscard]] CidrSet intersected(const CidrSet& other) const;
  // True if the sets share an address (no allocation).
  [[nodiscard]] bool intersects(const CidrSet& other) const;
  [[nodiscard]] bool intersects(const Cidr& block) const;
  // The addresses of this set outside `block`.
  [[nodiscard]] CidrSet minus(const Cidr& block) const;
  [[nodiscard]] CidrSet minus(const CidrSet& other) const;
  // True if this set holds an address of `family`.
  [[nodiscard]] bool has_family(IpFamily family) const;

  friend bool operator==(const CidrSet&, const CidrSet&) = default;

 private:
  std::vector<Cidr> blocks_;
};

// The addresses routable on the public internet: IPv4 without RFC 1918, loopback, link-local,
// shared (100.64/10), "this network" (0/8), multicast and reserved (224/3); IPv6 global unicast
// (2000::/3). A security-group source is "from the internet" when it meets this set.
const CidrSet& public_internet();

}  // namespace vigil::reachability
