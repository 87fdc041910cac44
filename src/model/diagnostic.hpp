// Per-item problems reported as data: a stage records them and carries on.
#pragma once

#include <string>

namespace vigil::model {

enum class DiagnosticLevel { kInfo, kWarning, kError };

struct Diagnostic {
  DiagnosticLevel level = DiagnosticLevel::kWarning;
  std::string where;  // file, and record id or line when known ("GO-2022-0001.json")
  std::string message;

  friend bool operator==(const Diagnostic&, const Diagnostic&) = default;
};

}  // namespace vigil::model
