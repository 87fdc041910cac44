// `vigil db import|status|show`: build and inspect the local vulnerability database.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/db_feed_commands.hpp"
#include "cli/output.hpp"
#include "vulndb/database.hpp"

namespace vigil::cli {
namespace {

using nlohmann::json;

struct DbOptions {
  std::string db_dir;
  std::vector<std::string> sources;
  std::string id;
  bool as_json = false;
  int max_age_days = 7;
  std::vector<std::string> trusted_keys;  // import of signed bundles
  bool force = false;
};

json advisory_json(const model::Advisory& advisory) {
  json affected = json::array();
  for (const auto& package : advisory.affected) {
    json ranges = json::array();
    for (const auto& range : package.ranges) {
      json events = json::array();
      for (const auto& event : range.events) {
        static constexpr const char* kNames[] = {"introduced", "fixed", "last_affected", "limit"};
        events.push_back({{kNames[static_cast<int>(event.kind)], event.version}});
      }
      static constexpr const char* kTypes[] = {"ECOSYSTEM", "SEMVER", "GIT"};
      ranges.push_back({{"type", kTypes[static_cast<int>(range.type)]}, {"events", events}});
    }
    std::string ecosystem(model::ecosystem_name(package.ecosystem.ecosystem));
    if (!package.ecosystem.release.empty()) {
      ecosystem += ":" + package.ecosystem.release;
    }
    affected.push_back({{"ecosystem", ecosystem},
                        {"name", package.name},
                        {"ranges", ranges},
                        {"versions", package.versions}});
  }
  json severities = json::array();
  for (const auto& severity : advisory.severities) {
    json item{{"type", severity.type}, {"vector", severity.vector}, {"source", severity.source}};
    if (severity.base_score) {
      item["baseScore"] = *severity.base_score;
    }
    severities.push_back(std::move(item));
  }
  return {{"id", advisory.id},           {"source", advisory.source},
          {"aliases", advisory.aliases}, {"summary", advisory.summary},
          {"details", advisory.details}, {"published", advisory.published},
          {"modified", advisory.modified}, {"withdrawn", advisory.withdrawn},
          {"status", advisory.status},   {"severity", advisory.severity_label},
          {"severities", severities},    {"cwes", advisory.cwes},
          {"affected", affected}};
}

int run_import(const DbOptions& opts) {
  if (opts.sources.empty()) {
    return usage_error("db import needs at least one SOURCE (file, directory or archive)");
  }
  if (has_bundle(opts.sources)) {
    return run_bundle_import(
        {opts.db_dir, opts.sources, opts.trusted_keys, opts.force, opts.as_json});
  }
  auto db = vulndb::Database::open(opts.db_dir, true);
  if (!db) {
    return report_error(db.error());
  }
  std::vector<std::filesystem::path> paths(opts.sources.begin(), opts.sources.end());
  const bool tty = isatty(STDERR_FILENO) != 0 && !opts.as_json;
  const auto started = std::chrono::steady_clock::now();
  auto progress = [&](size_t records) {
    if (!tty) {
      return;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cerr << fmt::format("\rimporting: {} records ({:.0f}/s)   ", records,
                             seconds > 0 ? static_cast<double>(records) / seconds : 0.0)
              << std::flush;
  };
  const auto summary = vulndb::import_paths(**db, paths, {}, progress);
  if (tty) {
    std::cerr << "\r" << std::string(60, ' ') << "\r";
  }
  if (!summary) {
    std::cerr << "vigil: import failed, database unchanged: " << summary.error().message << '\n';
    return kExitUsage;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  size_t warnings = 0;
  json diagnostics = json::array();
  for (const auto& diagnostic : summary->diagnostics) {
    if (diagnostic.level != model::DiagnosticLevel::kInfo) {
      ++warnings;
      if (!opts.as_json) {
        std::cerr << "warning: " << diagnostic.where << ": " << diagnostic.message << '\n';
      }
    }
    diagnostics.push_back({{"level", diagnostic.level == model::DiagnosticLevel::kInfo ? "info"
                                                                                       : "warning"},
                           {"where", diagnostic.where},
                           {"message", diagnostic.message}});
  }
  if (opts.as_json) {
    std::cout << json{{"dbVersion", summary->db_version}, {"added", summary->added},
                      {"modified", summary->modified},    {"unchanged", summary->unchanged},
                      {"withdrawn", summary->withdrawn},  {"kev", summary->kev},
                      {"epss", summary->epss},            {"skipped", summary->skipped},
                      {"files", summary->files},          {"filesIgnored", summary->files_ignored},
                      {"seconds", seconds},               {"diagnostics", diagnostics}}
                     .dump(2)
              << '\n';
  } else {
    std::cout << fmt::format(
        "imported into {} (version {}): {} added, {} modified, {} unchanged, {} withdrawn, "
        "{} KEV, {} EPSS; {} skipped, {} warnings; {} files ({} ignored) in {:.2f}s\n",
        opts.db_dir, summary->db_version, summary->added, summary->modified, summary->unchanged,
        summary->withdrawn, summary->kev, summary->epss, summary->skipped, warnings, summary->files,
        summary->files_ignored, seconds);
  }
  return kExitOk;
}

int run_status(const DbOptions& opts) {
  auto db = vulndb::Database::open(opts.db_dir, false);
  if (!db) {
    return report_error(db.error());
  }
  const auto status = (*db)->status();
  if (!status) {
    return report_error(status.error());
  }
  const auto age_days = days_since(status->last_import);
  const bool stale = !age_days || *age_days > opts.max_age_days;
  if (opts.as_json) {
    json counts = json::array();
    for (const auto& count : status->counts) {
      counts.push_back(
          {{"source", count.source}, {"ecosystem", count.ecosystem}, {"records", count.records}});
    }
    std::cout << json{{"schemaVersion", status->schema_version},
                      {"dbVersion", status->db_version},
                      {"lastImport", status->last_import},
                      {"advisories", status->advisories},
                      {"withdrawn", status->withdrawn},
                      {"kev", status->kev},
                      {"epss", status->epss},
                      {"epssDate", status->epss_date},
                      {"stale", stale},
                      {"counts", counts}}
                     .dump(2)
              << '\n';
    return kExitOk;
  }
  std::cout << fmt::format("database   {}\nschema     {}\nversion    {}\nlast import {}\n",
                           opts.db_dir, status->schema_version, status->db_version,
                           status->last_import.empty() ? "never" : status->last_import);
  std::cout << fmt::format("advisories {} ({} withdrawn)\nKEV        {}\nEPSS       {}{}\n",
                           status->advisories, status->withdrawn, status->kev, status->epss,
                           status->epss_date.empty() ? "" : " (scores of " + status->epss_date + ")");
  std::cout << "\nrecords by source and ecosystem:\n";
  for (const auto& count : status->counts) {
    std::cout << fmt::format("  {:<14} {:<14} {:>8}\n", count.source,
                             count.ecosystem.empty() ? "-" : count.ecosystem, count.records);
  }
  if (stale) {
    std::cerr << fmt::format("warning: vulnerability data is older than {} days; run `vigil db "
                             "update` or import fresh feeds\n",
                             opts.max_age_days);
  }
  return kExitOk;
}

int run_show(const DbOptions& opts) {
  auto db = vulndb::Database::open(opts.db_dir, false);
  if (!db) {
    return report_error(db.error());
  }
  const auto records = (*db)->lookup(opts.id);
  if (!records) {
    return report_error(records.error());
  }
  const auto kev = (*db)->kev(opts.id);
  const auto epss = (*db)->epss(opts.id);
  if (records->empty() && !(kev && *kev) && !(epss && *epss)) {
    std::cerr << "vigil: " << opts.id << ": not found in " << opts.db_dir << '\n';
    return kExitUsage;
  }
  json out{{"id", opts.id}, {"records", json::array()}};
  for (const auto& advisory : *records) {
    out["records"].push_back(advisory_json(advisory));
  }
  if (kev && *kev) {
    const auto& entry = **kev;
    out["kev"] = {{"dateAdded", entry.date_added},
                  {"dueDate", entry.due_date},
                  {"knownRansomwareCampaignUse", entry.known_ransomware_use},
                  {"vendorProject", entry.vendor_project},
                  {"product", entry.product},
                  {"requiredAction", entry.required_action}};
  }
  if (epss && *epss) {
    out["epss"] = {{"score", (*epss)->epss},
                   {"percentile", (*epss)->percentile},
                   {"date", (*epss)->score_date}};
  }
  if (opts.as_json) {
    std::cout << out.dump(2) << '\n';
    return kExitOk;
  }
  std::cout << opts.id << '\n';
  for (const auto& advisory : *records) {
    std::cout << fmt::format("\n[{}] {}{}\n", advisory.source, advisory.id,
                             advisory.withdrawn.empty() ? "" : " (withdrawn)");
    if (!advisory.aliases.empty()) {
      std::cout << fmt::format("  aliases:   {}\n", fmt::join(advisory.aliases, ", "));
    }
    if (!advisory.summary.empty()) {
      std::cout << "  summary:   " << advisory.summary << '\n';
    }
    for (const auto& severity : advisory.severities) {
      std::cout << fmt::format("  {}: {} ({})\n", severity.type, severity.vector, severity.source);
    }
    for (const auto& package : advisory.affected) {
      std::cout << fmt::format("  affects {} {}{}:", model::ecosystem_name(package.ecosystem.ecosystem),
                               package.ecosystem.release.empty() ? "" : package.ecosystem.release + " ",
                               package.name);
      for (const auto& range : package.ranges) {
        for (const auto& event : range.events) {
          static constexpr const char* kNames[] = {"introduced", "fixed", "last_affected", "limit"};
          std::cout << ' ' << kNames[static_cast<int>(event.kind)] << '=' << event.version;
        }
      }
      std::cout << '\n';
    }
  }
  if (out.contains("kev")) {
    std::cout << fmt::format("\nCISA KEV: added {}, due {}{}\n", out["kev"]["dateAdded"].get<std::string>(),
                             out["kev"]["dueDate"].get<std::string>(),
                             out["kev"]["knownRansomwareCampaignUse"].get<bool>()
                                 ? ", known ransomware use"
                                 : "");
  }
  if (out.contains("epss")) {
    std::cout << fmt::format("EPSS: {:.5f} (percentile {:.5f})\n", out["epss"]["score"].get<double>(),
                             out["epss"]["percentile"].get<double>());
  }
  return kExitOk;
}

}  // namespace

void add_db_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("db", "Import, inspect and update the vulnerability database");
  cmd->require_subcommand(1);
  auto opts = std::make_shared<DbOptions>();
  const auto add_db_option = [&opts](CLI::App* sub) {
    sub->add_option("--db", opts->db_dir, "Database directory (default: $VIGIL_DB or ~/.local/share/vigil/db)");
    sub->add_flag("--json", opts->as_json, "Machine-readable output");
  };
  auto* import = cmd->add_subcommand("import", "Import feeds (OSV, NVD, KEV, EPSS, ALAS, Alpine secdb)");
  add_db_option(import);
  import->add_option("sources", opts->sources, "Files, directories or archives")->required();
  import->add_option("--trusted-key", opts->trusted_keys,
                     "Public key (PEM) that bundles must be signed with; repeatable (also "
                     "<db>/trusted-keys/*.pem)");
  import->add_flag("--force", opts->force, "Apply a delta bundle even if versions are missing");
  import->callback([opts] { throw ExitRequest{run_import(with_default_db(*opts))}; });

  auto* status = cmd->add_subcommand("status", "Sources, record counts and data age");
  add_db_option(status);
  status->add_option("--max-age", opts->max_age_days, "Warn when data is older than this many days");
  status->callback([opts] { throw ExitRequest{run_status(with_default_db(*opts))}; });

  auto* show = cmd->add_subcommand("show", "The merged view of one vulnerability across sources");
  add_db_option(show);
  show->add_option("id", opts->id, "CVE, GHSA, OSV or distro advisory id")->required();
  show->callback([opts] { throw ExitRequest{run_show(with_default_db(*opts))}; });

  add_db_feed_commands(*cmd);
}

}  // namespace vigil::cli
