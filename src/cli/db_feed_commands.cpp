#include "cli/db_feed_commands.hpp"

#include <chrono>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "vulndb/bundle.hpp"
#include "vulndb/update.hpp"

namespace vigil::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// `db update` when some sources failed while the others were imported.
constexpr int kExitSourcesFailed = 3;

struct FeedOptions {
  std::string db_dir;
  std::string config;
  std::string key;
  std::string out;
  int64_t since = 0;
  bool as_json = false;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string human_bytes(uint64_t bytes) {
  if (bytes >= (uint64_t{1} << 20)) {
    return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
  }
  if (bytes >= 1024) {
    return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024);
  }
  return fmt::format("{} B", bytes);
}

json summary_json(const vulndb::ImportSummary& summary) {
  return {{"dbVersion", summary.db_version},
          {"added", summary.added},
          {"modified", summary.modified},
          {"unchanged", summary.unchanged},
          {"withdrawn", summary.withdrawn},
          {"kev", summary.kev},
          {"epss", summary.epss},
          {"skipped", summary.skipped},
          {"files", summary.files},
          {"filesIgnored", summary.files_ignored}};
}

std::string summary_text(const vulndb::ImportSummary& summary) {
  return fmt::format(
      "version {}: {} added, {} modified, {} unchanged, {} withdrawn, {} KEV, {} "
      "EPSS; {} skipped",
      summary.db_version, summary.added, summary.modified, summary.unchanged, summary.withdrawn,
      summary.kev, summary.epss, summary.skipped);
}

void print_warnings(const vulndb::ImportSummary& summary) {
  for (const auto& diagnostic : summary.diagnostics) {
    if (diagnostic.level != model::DiagnosticLevel::kInfo) {
      std::cerr << "warning: " << diagnostic.where << ": " << diagnostic.message << '\n';
    }
  }
}

int run_update(const FeedOptions& opts) {
  const fs::path config =
      opts.config.empty() ? fs::path(opts.db_dir) / "sources.json" : fs::path(opts.config);
  const auto sources = vulndb::load_feed_sources(config);
  if (!sources) {
    return report_error(sources.error());
  }
  auto db = vulndb::Database::open(opts.db_dir, true);
  if (!db) {
    return report_error(db.error());
  }
  const auto started = std::chrono::steady_clock::now();
  auto fetcher = vulndb::make_fetcher();
  const auto report = vulndb::update_feeds(**db, opts.db_dir, *sources, *fetcher);
  if (!report) {
    std::cerr << "vigil: update failed, database unchanged: " << report.error().message << '\n';
    return report_error(report.error());
  }
  const double seconds = seconds_since(started);
  if (opts.as_json) {
    json out{{"sources", json::array()},
             {"import", report->import ? summary_json(*report->import) : json(nullptr)},
             {"failed", report->any_failed()},
             {"seconds", seconds}};
    for (const auto& source : report->sources) {
      out["sources"].push_back({{"name", source.name},
                                {"url", source.url},
                                {"outcome", vulndb::source_outcome_name(source.outcome)},
                                {"bytes", source.bytes},
                                {"records", source.records},
                                {"error", source.error},
                                {"warning", source.warning}});
    }
    std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
  } else {
    for (const auto& source : report->sources) {
      std::string detail;
      switch (source.outcome) {
        case vulndb::SourceOutcome::kFetched:
          detail = fmt::format("{}, {} records", human_bytes(source.bytes), source.records);
          break;
        case vulndb::SourceOutcome::kUnchanged:
          detail = fmt::format("{}, same content as last import", human_bytes(source.bytes));
          break;
        case vulndb::SourceOutcome::kNotModified:
          break;
        case vulndb::SourceOutcome::kFailed:
          detail = source.error;
          break;
      }
      std::cout << fmt::format("  {:<20} {:<13} {}\n", source.name,
                               vulndb::source_outcome_name(source.outcome), detail);
      if (!source.warning.empty()) {
        std::cerr << "warning: " << source.name << ": " << source.warning << '\n';
      }
    }
    if (report->import) {
      print_warnings(*report->import);
      std::cout << fmt::format("updated {} ({}) in {:.2f}s\n", opts.db_dir,
                               summary_text(*report->import), seconds);
    } else {
      std::cout << fmt::format("nothing new to import into {} ({:.2f}s)\n", opts.db_dir, seconds);
    }
  }
  return report->any_failed() ? kExitSourcesFailed : kExitOk;
}

int run_export(const FeedOptions& opts) {
  auto db = vulndb::Database::open(opts.db_dir, false);
  if (!db) {
    return report_error(db.error());
  }
  std::optional<vulndb::PrivateKey> key;
  if (!opts.key.empty()) {
    auto loaded = vulndb::PrivateKey::load(opts.key);
    if (!loaded) {
      return report_error(loaded.error());
    }
    key = std::move(loaded).value();
  }
  vulndb::ExportOptions options;
  options.since = opts.since;
  options.key = key ? &*key : nullptr;
  const auto started = std::chrono::steady_clock::now();
  const auto result = vulndb::export_bundle(**db, opts.out, options);
  if (!result) {
    return report_error(result.error());
  }
  const double seconds = seconds_since(started);
  const auto& manifest = result->manifest;
  if (opts.as_json) {
    std::cout << json{{"bundle", opts.out},
                      {"origin", manifest.origin},
                      {"kind", manifest.is_delta() ? "delta" : "full"},
                      {"fromVersion", manifest.from_version},
                      {"toVersion", manifest.to_version},
                      {"advisories", manifest.advisories},
                      {"withdrawn", manifest.withdrawn},
                      {"kev", manifest.kev},
                      {"epss", manifest.epss},
                      {"bytes", result->bundle_bytes},
                      {"payloadSha256", manifest.payload_sha256},
                      {"keyId", result->key_id},
                      {"seconds", seconds}}
                     .dump(2, ' ', false, json::error_handler_t::replace)
              << '\n';
  } else {
    std::cout << fmt::format(
        "exported {} bundle of {} (versions {}..{}) to {}: {} advisories ({} withdrawn), {} KEV, "
        "{} EPSS; {} in {:.2f}s; {}\n",
        manifest.is_delta() ? "delta" : "full", opts.db_dir, manifest.from_version + 1,
        manifest.to_version, opts.out, manifest.advisories, manifest.withdrawn, manifest.kev,
        manifest.epss, human_bytes(result->bundle_bytes), seconds,
        result->key_id.empty() ? std::string("UNSIGNED")
                               : fmt::format("signed with key {}", result->key_id));
  }
  if (result->key_id.empty()) {
    std::cerr << "warning: the bundle is unsigned (no --key); databases with trusted keys will "
                 "refuse it\n";
  }
  return kExitOk;
}

int run_keygen(const FeedOptions& opts) {
  const fs::path private_path = opts.out + ".pem";
  const fs::path public_path = opts.out + ".pub.pem";
  std::error_code ec;
  if (private_path.has_parent_path()) {
    fs::create_directories(private_path.parent_path(), ec);
  }
  const auto key_id = vulndb::generate_key_pair(private_path, public_path);
  if (!key_id) {
    return report_error(key_id.error());
  }
  std::cout << fmt::format(
      "Ed25519 key {}\n  private: {} (mode 0600; keep it secret, pass it to `vigil db export "
      "--key`)\n  public:  {} (copy it to <db>/trusted-keys/ or pass --trusted-key)\n",
      *key_id, private_path.string(), public_path.string());
  return kExitOk;
}

}  // namespace

bool has_bundle(const std::vector<std::string>& sources) {
  for (const auto& source : sources) {
    if (vulndb::is_bundle_file(source)) {
      return true;
    }
  }
  return false;
}

int run_bundle_import(const BundleImportRequest& request) {
  for (const auto& source : request.bundles) {
    if (!vulndb::is_bundle_file(source)) {
      return usage_error(
          fmt::format("{}: bundles are imported on their own; import feeds with a "
                      "separate `vigil db import`",
                      source));
    }
  }
  std::vector<fs::path> key_paths(request.trusted_keys.begin(), request.trusted_keys.end());
  const auto keys = vulndb::load_trusted_keys(key_paths, fs::path(request.db_dir) / "trusted-keys");
  if (!keys) {
    return report_error(keys.error());
  }
  // Every bundle is verified before the database is opened (or created).
  std::vector<vulndb::VerifiedBundle> verified;
  for (const auto& source : request.bundles) {
    auto bundle = vulndb::verify_bundle(source, *keys);
    if (!bundle) {
      std::cerr << "vigil: " << bundle.error().message << "; database untouched\n";
      return kExitUsage;
    }
    if (keys->empty()) {
      std::cerr << fmt::format(
          "warning: {}: signature NOT verified: no trusted keys configured "
          "(--trusted-key, or {}/trusted-keys/*.pem)\n",
          source, request.db_dir);
    }
    verified.push_back(std::move(bundle).value());
  }
  auto db = vulndb::Database::open(request.db_dir, false);
  if (!db && db.error().code == ErrorCode::kNotFound) {
    // A delta cannot apply to a database that does not exist yet: refuse before creating it.
    if (auto applies = vulndb::check_bundle_applies(verified.front().manifest, {}, request.force);
        !applies) {
      std::cerr << "vigil: " << verified.front().path.string() << ": " << applies.error().message
                << "; database untouched\n";
      return kExitUsage;
    }
    db = vulndb::Database::open(request.db_dir, true);
  }
  if (!db) {
    return report_error(db.error());
  }
  json results = json::array();
  for (const auto& bundle : verified) {
    const auto started = std::chrono::steady_clock::now();
    vulndb::BundleImportOptions options;
    options.force = request.force;
    const auto summary = vulndb::import_bundle(**db, bundle, options);
    if (!summary) {
      std::cerr << "vigil: bundle refused, database untouched by it: " << summary.error().message
                << '\n';
      return summary.error().code == ErrorCode::kInternal ? 70 : kExitUsage;
    }
    const double seconds = seconds_since(started);
    const auto& manifest = bundle.manifest;
    if (request.as_json) {
      auto item = summary_json(*summary);
      item["bundle"] = bundle.path.string();
      item["origin"] = manifest.origin;
      item["fromVersion"] = manifest.from_version;
      item["toVersion"] = manifest.to_version;
      item["signed"] = bundle.is_signed;
      item["signatureVerified"] = bundle.signature_verified;
      item["keyId"] = bundle.key_id;
      item["seconds"] = seconds;
      results.push_back(std::move(item));
    } else {
      print_warnings(*summary);
      std::cout << fmt::format(
          "imported bundle {} ({} versions {}..{}, {}) into {} ({}) in {:.2f}s\n",
          bundle.path.string(), manifest.origin, manifest.from_version + 1, manifest.to_version,
          bundle.signature_verified ? fmt::format("signature verified, key {}", bundle.key_id)
                                    : std::string("signature not verified"),
          request.db_dir, summary_text(*summary), seconds);
    }
  }
  if (request.as_json) {
    std::cout << results.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
  }
  return kExitOk;
}

void add_db_feed_commands(CLI::App& db) {
  auto opts = std::make_shared<FeedOptions>();
  auto* update = db.add_subcommand(
      "update",
      "Fetch the configured feeds (<db>/sources.json) and import what changed; exit 3 "
      "when some sources failed (the others are still imported)");
  update->add_option("--db", opts->db_dir,
                     "Database directory (default: $VIGIL_DB or ~/.local/share/vigil/db)");
  update->add_option("--config", opts->config,
                     "Sources file: a JSON array of {\"name\", \"url\", \"kind\"} (default: "
                     "<db>/sources.json)");
  update->add_flag("--json", opts->as_json, "Machine-readable output");
  update->callback([opts] { throw ExitRequest{run_update(with_default_db(*opts))}; });

  auto* exporter =
      db.add_subcommand("export", "Write a signed bundle of the database (full or delta)");
  exporter->add_option("--db", opts->db_dir,
                       "Database directory (default: $VIGIL_DB or ~/.local/share/vigil/db)");
  exporter
      ->add_option("--since", opts->since,
                   "Export records changed after this database version (0 = everything)")
      ->check(CLI::NonNegativeNumber);
  exporter->add_option("--key", opts->key, "Ed25519 private key (PEM) to sign with");
  exporter->add_option("-o,--out", opts->out, "Bundle file to write")->required();
  exporter->add_flag("--json", opts->as_json, "Machine-readable output");
  exporter->callback([opts] { throw ExitRequest{run_export(with_default_db(*opts))}; });

  auto* keygen = db.add_subcommand("keygen", "Create an Ed25519 key pair for signing bundles");
  keygen
      ->add_option("--out", opts->out,
                   "Key file prefix: writes PREFIX.pem (private, 0600) and PREFIX.pub.pem")
      ->required();
  keygen->callback([opts] { throw ExitRequest{run_keygen(*opts)}; });
}

}  // namespace vigil::cli
