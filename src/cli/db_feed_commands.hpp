// `vigil db update|export|keygen`, and the verified import of signed bundles that
// `vigil db import` hands over when its sources are bundles.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace vigil::cli {

// Adds the `update`, `export` and `keygen` subcommands to `db` (the `vigil db` subcommand).
void add_db_feed_commands(CLI::App& db);

// True if any path in `sources` is a Vigil bundle (by its first tar header).
bool has_bundle(const std::vector<std::string>& sources);

struct BundleImportRequest {
  std::string db_dir;  // already defaulted
  std::vector<std::string> bundles;
  std::vector<std::string> trusted_keys;  // --trusted-key files; <db>/trusted-keys/*.pem too
  bool force = false;                     // apply deltas out of order
  bool as_json = false;
};

// Verifies every bundle (signature, digest) before the database is opened, then imports them
// in order, one transaction each. Returns the exit code: 0, or 2 when a bundle is refused
// (bad or missing signature, wrong order) or fails to import; the database is then untouched
// by that bundle.
int run_bundle_import(const BundleImportRequest& request);

}  // namespace vigil::cli
