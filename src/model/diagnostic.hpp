// Per-item problems reported as data: a stage records them and carries on.
#pragma once

#include <string>
#include <string_view>

namespace vigil::model {

enum class DiagnosticLevel { kInfo, kWarning, kError };

// Returns "info", "warning" or "error" (the spelling every JSON output uses).
std::string_view diagnostic_level_name(DiagnosticLevel level);

struct Diagnostic {
  DiagnosticLevel level = DiagnosticLevel::kWarning;
  std::string where;  // file, and record id or line when known ("GO-2022-0001.json")
  std::string message;

  friend bool operator==(const Diagnostic&, const Diagnostic&) = default;
};

}  // namespace vigil::model
