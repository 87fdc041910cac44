#include "version/range.hpp"

#include <algorithm>

#include "core/strings.hpp"

namespace vigil::version {
namespace {

bool satisfies(const Version& version, const Constraint& constraint) {
  const int cmp = compare(version, constraint.version);
  switch (constraint.op) {
    case Op::kLess:
      return cmp < 0;
    case Op::kLessEqual:
      return cmp <= 0;
    case Op::kGreater:
      return cmp > 0;
    case Op::kGreaterEqual:
      return cmp >= 0;
    case Op::kEqual:
      return cmp == 0;
    case Op::kNotEqual:
      return cmp != 0;
  }
  return false;
}

std::string_view event_name(model::EventKind kind) {
  switch (kind) {
    case model::EventKind::kIntroduced:
      return "introduced";
    case model::EventKind::kFixed:
      return "fixed";
    case model::EventKind::kLastAffected:
      return "last_affected";
    case model::EventKind::kLimit:
      return "limit";
  }
  return "event";
}

// Reads an operator at the front of `text` and removes it; a missing operator means "=".
Op take_operator(std::string_view& text) {
  const auto take = [&text](std::string_view token, Op op) -> std::optional<Op> {
    if (text.substr(0, token.size()) == token) {
      text.remove_prefix(token.size());
      return op;
    }
    return std::nullopt;
  };
  for (const auto& [token, op] : {std::pair<std::string_view, Op>{"<=", Op::kLessEqual},
                                  {">=", Op::kGreaterEqual},
                                  {"==", Op::kEqual},
                                  {"!=", Op::kNotEqual},
                                  {"<", Op::kLess},
                                  {">", Op::kGreater},
                                  {"=", Op::kEqual}}) {
    if (auto found = take(token, op)) {
      return *found;
    }
  }
  return Op::kEqual;
}

bool is_separator(char c) { return c == ',' || c == ' ' || c == '\t'; }

Result<std::vector<Constraint>> parse_conjunction(Scheme scheme, std::string_view text,
                                                  std::string_view whole) {
  std::vector<Constraint> constraints;
  text = trim(text);
  if (text == "*") {
    return constraints;
  }
  while (true) {
    while (!text.empty() && is_separator(text.front())) {
      text.remove_prefix(1);
    }
    if (text.empty()) {
      break;
    }
    const Op op = take_operator(text);
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
      text.remove_prefix(1);
    }
    size_t end = 0;
    while (end < text.size() && !is_separator(text[end]) && text[end] != '<' &&
           text[end] != '>' && text[end] != '=' && text[end] != '!') {
      ++end;
    }
    const std::string_view version_text = text.substr(0, end);
    if (version_text.empty()) {
      return fail(Error::parse("range '{}': operator without a version", whole));
    }
    auto version = parse(scheme, version_text);
    if (!version) {
      return fail(version.error().with_context(fmt::format("range '{}'", whole)));
    }
    constraints.push_back({op, std::move(version).value()});
    text.remove_prefix(end);
  }
  return constraints;
}

}  // namespace

Result<Range> Range::from_events(Scheme scheme, std::span<const model::RangeEvent> events) {
  Range range(scheme);
  range.from_events_ = true;
  for (const auto& event : events) {
    const std::string_view text = trim(event.version);
    if (event.kind == model::EventKind::kIntroduced && text == "0") {
      range.events_.push_back({event.kind, std::nullopt});
      continue;
    }
    if (event.kind == model::EventKind::kLimit && text == "*") {
      range.limits_.clear();
      range.unlimited_ = true;
      continue;
    }
    auto version = parse(scheme, text);
    if (!version) {
      return fail(version.error().with_context(fmt::format("{} event", event_name(event.kind))));
    }
    if (event.kind == model::EventKind::kLimit) {
      if (!range.unlimited_) {
        range.limits_.push_back(std::move(version).value());
      }
    } else {
      range.events_.push_back({event.kind, std::move(version).value()});
    }
  }
  // OSV: sort by version, "introduced: 0" first; keep source order among equal versions.
  std::stable_sort(range.events_.begin(), range.events_.end(),
                   [](const Event& lhs, const Event& rhs) {
                     if (!lhs.version || !rhs.version) {
                       return !lhs.version && rhs.version;
                     }
                     return compare(*lhs.version, *rhs.version) < 0;
                   });
  return range;
}

Result<Range> Range::from_constraint(Scheme scheme, std::string_view text) {
  Range range(scheme);
  std::string_view rest = text;
  while (true) {
    const size_t bar = rest.find("||");
    const std::string_view alternative = rest.substr(0, bar);
    VIGIL_ASSIGN_OR_RETURN(auto constraints, parse_conjunction(scheme, alternative, text));
    range.alternatives_.push_back(std::move(constraints));
    if (bar == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(bar + 2);
  }
  return range;
}

bool Range::contains(const Version& version) const {
  if (!from_events_) {
    return std::any_of(alternatives_.begin(), alternatives_.end(), [&](const auto& constraints) {
      return std::all_of(constraints.begin(), constraints.end(),
                         [&](const Constraint& c) { return satisfies(version, c); });
    });
  }
  if (!limits_.empty() &&
      std::none_of(limits_.begin(), limits_.end(),
                   [&](const Version& limit) { return compare(version, limit) < 0; })) {
    return false;
  }
  bool affected = false;
  for (const auto& event : events_) {
    if (!event.version) {
      affected = true;  // introduced "0"
      continue;
    }
    const int cmp = compare(version, *event.version);
    switch (event.kind) {
      case model::EventKind::kIntroduced:
        if (cmp >= 0) {
          affected = true;
        }
        break;
      case model::EventKind::kFixed:
        if (cmp >= 0) {
          affected = false;
        }
        break;
      case model::EventKind::kLastAffected:
        if (cmp > 0) {
          affected = false;
        }
        break;
      case model::EventKind::kLimit:
        break;
    }
    if (cmp < 0) {
      break;  // events are sorted: none further can apply to `version`
    }
  }
  return affected;
}

Result<bool> in_range(Scheme scheme, std::string_view version, std::string_view range_text) {
  VIGIL_ASSIGN_OR_RETURN(const auto parsed, parse(scheme, version));
  VIGIL_ASSIGN_OR_RETURN(const auto range, Range::from_constraint(scheme, range_text));
  return range.contains(parsed);
}

}  // namespace vigil::version
