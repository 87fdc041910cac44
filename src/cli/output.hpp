// Shared CLI helpers: error reporting, default paths and small date arithmetic.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::cli {

// Prints "vigil: <message>" to stderr and returns the exit code for `error` (2 for input errors,
// 70 for internal ones).
int report_error(const Error& error);

// Prints "vigil: <message>" to stderr and returns the usage exit code.
int usage_error(std::string_view message);

// The database directory: `explicit_dir` if set, else $VIGIL_DB, else
// $XDG_DATA_HOME/vigil/db or ~/.local/share/vigil/db.
std::string default_db_dir(const std::string& explicit_dir);

template <class Options>
Options with_default_db(Options opts) {
  opts.db_dir = default_db_dir(opts.db_dir);
  return opts;
}

// Whole days between an RFC 3339 UTC timestamp ("2026-11-24T10:00:00Z") and now; nullopt if
// `timestamp` is empty or malformed.
std::optional<int> days_since(std::string_view timestamp);

}  // namespace vigil::cli
