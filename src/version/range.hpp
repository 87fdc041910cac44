// Version ranges: OSV range events (introduced/fixed/last_affected/limit) and constraint strings
// (">=1.0, <2.0 || =3.1"), parsed once per scheme and evaluated without re-parsing.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "model/advisory.hpp"
#include "version/version.hpp"

namespace vigil::version {

enum class Op { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };

// One comparison of a constraint string ("<=2.0").
struct Constraint {
  Op op = Op::kEqual;
  Version version;
};

class Range {
 public:
  // Builds a range from OSV events, evaluated per the OSV specification: events sorted by version
  // ("0" as introduced means "every version"), then introduced opens, fixed closes at the version,
  // last_affected closes after it, and limit caps everything at or above it. Returns kParse naming
  // the event whose version does not parse under `scheme`.
  [[nodiscard]] static Result<Range> from_events(Scheme scheme,
                                                 std::span<const model::RangeEvent> events);

  // Builds a range from a constraint string: alternatives separated by "||", each a conjunction of
  // comparisons separated by commas or spaces; operators <, <=, >, >=, =, ==, !=; a bare version
  // means "=". "*" or an empty alternative matches every version. Returns kParse for a malformed
  // string or an unparseable version.
  [[nodiscard]] static Result<Range> from_constraint(Scheme scheme, std::string_view text);

  Scheme scheme() const noexcept { return scheme_; }

  // True if `version` (of this range's scheme) lies in the range. No parsing, no allocation.
  bool contains(const Version& version) const;

 private:
  struct Event {
    model::EventKind kind;
    std::optional<Version> version;  // nullopt only for introduced "0"
  };

  explicit Range(Scheme scheme) : scheme_(scheme) {}

  Scheme scheme_;
  bool from_events_ = false;
  bool unlimited_ = false;                            // a limit "*" was given
  std::vector<Event> events_;                         // sorted; OSV form
  std::vector<Version> limits_;                       // OSV limit events
  std::vector<std::vector<Constraint>> alternatives_;  // constraint form
};

// Convenience for scripting: parses `version` and `range_text` (a constraint string) under
// `scheme` and evaluates membership.
[[nodiscard]] Result<bool> in_range(Scheme scheme, std::string_view version,
                                    std::string_view range_text);

}  // namespace vigil::version
