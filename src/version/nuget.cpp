#include "version/nuget.hpp"

#include <algorithm>

#include "core/strings.hpp"

namespace vigil::version {
namespace {

// Longer inputs are rejected so the offsets in NugetVersion always fit.
constexpr std::size_t kMaxLength = 65536;

bool all_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return is_digit(c); });
}

bool is_label_char(char c) { return is_alnum(c) || c == '-'; }

std::string_view strip_leading_zeros(std::string_view digits) {
  while (digits.size() > 1 && digits.front() == '0') {
    digits.remove_prefix(1);
  }
  return digits;
}

// Compares two digit runs without leading zeros.
int compare_numbers(std::string_view lhs, std::string_view rhs) {
  if (lhs.size() != rhs.size()) {
    return lhs.size() < rhs.size() ? -1 : 1;
  }
  const int cmp = lhs.compare(rhs);
  return (cmp > 0) - (cmp < 0);
}

std::string_view next_part(std::string_view& rest) {
  const size_t dot = rest.find('.');
  const std::string_view part = rest.substr(0, dot);
  rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
  return part;
}

// Checks the dot-separated parts of a label or metadata section: non-empty [0-9A-Za-z-] runs,
// and (for labels) no leading zero in an all-digit one, as NuGet's IsValidPart.
Result<void> check_parts(std::string_view original, std::string_view section, const char* what,
                         bool allow_leading_zeros) {
  for (size_t start = 0;;) {
    const size_t dot = section.find('.', start);
    const std::string_view part =
        section.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (part.empty()) {
      return fail(Error::parse("nuget: invalid version '{}': empty {} part", original, what));
    }
    const auto bad = std::find_if_not(part.begin(), part.end(), is_label_char);
    if (bad != part.end()) {
      return fail(Error::parse("nuget: invalid version '{}': invalid character '{}' in {}",
                               original, *bad, what));
    }
    if (!allow_leading_zeros && part.size() > 1 && part.front() == '0' && all_digits(part)) {
      return fail(Error::parse("nuget: invalid version '{}': numeric {} '{}' has a leading zero",
                               original, what, part));
    }
    if (dot == std::string_view::npos) {
      return {};
    }
    start = dot + 1;
  }
}

// NuGet compares labels with StringComparer.OrdinalIgnoreCase; over [0-9A-Za-z-] folding to
// lower case gives the same order as folding to upper case.
int compare_ignore_case(std::string_view lhs, std::string_view rhs) {
  const size_t common = std::min(lhs.size(), rhs.size());
  for (size_t idx = 0; idx < common; ++idx) {
    const char a = to_lower(lhs[idx]);
    const char b = to_lower(rhs[idx]);
    if (a != b) {
      return a < b ? -1 : 1;
    }
  }
  return lhs.size() == rhs.size() ? 0 : (lhs.size() < rhs.size() ? -1 : 1);
}

}  // namespace

Result<NugetVersion> parse_nuget(std::string_view text) {
  if (text.size() > kMaxLength) {
    return fail(Error::parse("nuget: version is longer than {} characters", kMaxLength));
  }
  const std::string_view s = trim(text);
  if (s.empty()) {
    return fail(Error::parse("nuget: empty version"));
  }
  // NuGet's ParseSections: the version ends at the first '-' or '+', the labels at the first '+'.
  const size_t version_end = std::min(s.find('-'), s.find('+'));
  const std::string_view numbers = s.substr(0, version_end);
  std::string_view parts[4] = {"0", "0", "0", "0"};
  size_t count = 0;
  for (size_t start = 0;;) {
    const size_t dot = numbers.find('.', start);
    const std::string_view part =
        numbers.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (part.empty() || !all_digits(part)) {
      return fail(Error::parse(
          "nuget: invalid version '{}': expected 1 to 4 dot-separated numbers before '-' or '+'",
          text));
    }
    if (count == 4) {
      return fail(Error::parse("nuget: invalid version '{}': more than 4 numeric parts", text));
    }
    parts[count++] = strip_leading_zeros(part);
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }
  std::string_view labels;
  std::string_view metadata;
  bool has_labels = false;
  bool has_metadata = false;
  if (version_end != std::string_view::npos) {
    std::string_view rest = s.substr(version_end);
    if (rest.front() == '-') {
      has_labels = true;
      const size_t plus = rest.find('+');
      labels = rest.substr(1, plus == std::string_view::npos ? plus : plus - 1);
      rest = plus == std::string_view::npos ? std::string_view() : rest.substr(plus);
      VIGIL_TRY(check_parts(text, labels, "release label", false));
    }
    if (!rest.empty()) {
      has_metadata = true;
      metadata = rest.substr(1);
      VIGIL_TRY(check_parts(text, metadata, "metadata", true));
    }
  }

  NugetVersion version;
  std::string& out = version.text;
  out.reserve(s.size() + 4);
  out.append(parts[0]);
  version.major_end = static_cast<std::uint32_t>(out.size());
  out.push_back('.');
  out.append(parts[1]);
  version.minor_end = static_cast<std::uint32_t>(out.size());
  out.push_back('.');
  out.append(parts[2]);
  version.patch_end = static_cast<std::uint32_t>(out.size());
  if (parts[3] != "0") {
    out.push_back('.');
    out.append(parts[3]);
  }
  version.revision_end = static_cast<std::uint32_t>(out.size());
  if (has_labels) {
    out.push_back('-');
    out.append(labels);
  }
  version.labels_end = static_cast<std::uint32_t>(out.size());
  if (has_metadata) {
    out.push_back('+');
    out.append(metadata);
  }
  return version;
}

int compare_nuget(const NugetVersion& lhs, const NugetVersion& rhs) {
  if (const int cmp = compare_numbers(lhs.major(), rhs.major()); cmp != 0) {
    return cmp;
  }
  if (const int cmp = compare_numbers(lhs.minor(), rhs.minor()); cmp != 0) {
    return cmp;
  }
  if (const int cmp = compare_numbers(lhs.patch(), rhs.patch()); cmp != 0) {
    return cmp;
  }
  if (const int cmp = compare_numbers(lhs.revision(), rhs.revision()); cmp != 0) {
    return cmp;
  }
  std::string_view left = lhs.labels();
  std::string_view right = rhs.labels();
  if (left.empty() || right.empty()) {
    return left.empty() == right.empty() ? 0 : (left.empty() ? 1 : -1);
  }
  while (!left.empty() && !right.empty()) {
    const std::string_view a = next_part(left);
    const std::string_view b = next_part(right);
    const bool a_numeric = all_digits(a);
    const bool b_numeric = all_digits(b);
    int cmp = 0;
    if (a_numeric && b_numeric) {
      cmp = compare_numbers(a, b);
    } else if (a_numeric != b_numeric) {
      cmp = a_numeric ? -1 : 1;
    } else {
      cmp = compare_ignore_case(a, b);
    }
    if (cmp != 0) {
      return cmp;
    }
  }
  return left.empty() == right.empty() ? 0 : (left.empty() ? -1 : 1);
}

}  // namespace vigil::version
