#include "model/diagnostic.hpp"
#include "model/finding.hpp"
#include "model/package.hpp"

namespace vigil::model {

std::string_view diagnostic_level_name(DiagnosticLevel level) {
  switch (level) {
    case DiagnosticLevel::kInfo:
      return "info";
    case DiagnosticLevel::kWarning:
      return "warning";
    case DiagnosticLevel::kError:
      return "error";
  }
  return "warning";
}

std::string_view resource_type_name(ResourceType type) {
  switch (type) {
    case ResourceType::kHost:
      return "host";
    case ResourceType::kFunction:
      return "function";
    case ResourceType::kLayer:
      return "layer";
    case ResourceType::kImage:
      return "image";
  }
  return "host";
}

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::kUntriaged:
      return "UNTRIAGED";
    case Severity::kInformational:
      return "INFORMATIONAL";
    case Severity::kLow:
      return "LOW";
    case Severity::kMedium:
      return "MEDIUM";
    case Severity::kHigh:
      return "HIGH";
    case Severity::kCritical:
      return "CRITICAL";
  }
  return "UNTRIAGED";
}

std::string_view fix_available_name(FixAvailable fix) {
  switch (fix) {
    case FixAvailable::kYes:
      return "YES";
    case FixAvailable::kNo:
      return "NO";
    case FixAvailable::kPartial:
      return "PARTIAL";
  }
  return "NO";
}

std::string_view finding_status_name(FindingStatus status) {
  switch (status) {
    case FindingStatus::kActive:
      return "ACTIVE";
    case FindingStatus::kSuppressed:
      return "SUPPRESSED";
    case FindingStatus::kClosed:
      return "CLOSED";
  }
  return "ACTIVE";
}

}  // namespace vigil::model
