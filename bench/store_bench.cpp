// Store latency on a realistic fleet: 1,000,000 findings over 3 accounts and ~200,000 resources
// (EC2 hosts, ECR images, Lambda functions), loaded once through the bulk path and cached under
// the build directory (bench-data/store-1m-v5/store.db; delete it to regenerate). Measures
// ListFindings (account + severity, 100 per page, p50/p99 over 200 queries), aggregations by
// ACCOUNT and FINDING_TYPE, and the reconcile of a 600-finding resource.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "store/internal/codec.hpp"
#include "store/internal/finding_json_writer.hpp"
#include "store/sqlite_store.hpp"
#include "store/store.hpp"

namespace {

namespace fs = std::filesystem;
using vigil::store::StoredFinding;

constexpr std::size_t kFindings = 1'000'000;
constexpr std::size_t kResources = 200'000;
constexpr std::string_view kGeneration = "store-1m-v5";
const std::array<std::string, 3> kAccounts = {"111111111111", "222222222222", "333333333333"};

const std::array<const char*, 24> kPackages = {"openssl",
                                               "libssl3",
                                               "glibc",
                                               "zlib",
                                               "curl",
                                               "libxml2",
                                               "sudo",
                                               "bash",
                                               "systemd",
                                               "openssh",
                                               "python3.11",
                                               "perl",
                                               "requests",
                                               "urllib3",
                                               "django",
                                               "jinja2",
                                               "lodash",
                                               "express",
                                               "log4j-core",
                                               "jackson-databind",
                                               "golang.org/x/net",
                                               "google.golang.org/grpc",
                                               "rails",
                                               "nokogiri"};

// Severity mix of a typical fleet: CRITICAL 5%, HIGH 25%, MEDIUM 45%, LOW 20%, rest 5%.
vigil::model::Severity severity_for(std::uint64_t roll) {
  const auto percent = roll % 100;
  if (percent < 5) {
    return vigil::model::Severity::kCritical;
  }
  if (percent < 30) {
    return vigil::model::Severity::kHigh;
  }
  if (percent < 75) {
    return vigil::model::Severity::kMedium;
  }
  if (percent < 95) {
    return vigil::model::Severity::kLow;
  }
  return percent < 98 ? vigil::model::Severity::kInformational : vigil::model::Severity::kUntriaged;
}

// The `index`-th synthetic finding; deterministic so the cached file matches the generator.
void make_finding(std::size_t index, std::mt19937_64& random, StoredFinding& out) {
  out = StoredFinding{};
  const std::size_t resource = index % kResources;
  const std::string& account = kAccounts[resource % kAccounts.size()];
  auto& finding = out.finding;
  const auto roll = random();
  const char* package = kPackages[(roll >> 8) % kPackages.size()];
  const int cve = static_cast<int>((roll >> 16) % 40000);
  finding.id = fmt::format("arn:aws:inspector2:us-east-1:{}:finding/{:032x}", account, index);
  finding.account_id = account;
  finding.vulnerability_id = fmt::format("CVE-{}-{}", 2015 + cve % 10, cve);
  finding.title = fmt::format("{} - {}", finding.vulnerability_id, package);
  finding.description = "A flaw was found that allows a remote attacker to cause harm.";
  finding.package.name = package;
  finding.package.arch = "amd64";
  finding.severity = severity_for(roll >> 32);
  finding.inspector_score = static_cast<double>((roll >> 40) % 100) / 10.0;
  finding.vigil_risk = finding.inspector_score / 2;
  if ((roll >> 48) % 4 != 0) {
    finding.epss = static_cast<double>((roll >> 50) % 1000) / 1000.0;
  }
  finding.exploit_available = (roll >> 60) % 16 == 0;
  finding.fix_available =
      (roll >> 58) % 3 == 0 ? vigil::model::FixAvailable::kNo : vigil::model::FixAvailable::kYes;
  finding.fixed_in = finding.fix_available == vigil::model::FixAvailable::kYes ? "9.9.9" : "";
  finding.sources = {"nvd"};
  const auto status_roll = (roll >> 4) % 20;
  finding.status = status_roll == 0 ? vigil::model::FindingStatus::kSuppressed
                                    : vigil::model::FindingStatus::kActive;
  const auto kind = resource % 10;  // 6 EC2 : 3 ECR : 1 Lambda
  if (kind < 6) {
    finding.resource_id = fmt::format("i-{:017x}", resource);
    finding.package.ecosystem = vigil::model::Ecosystem::kDebian;
    finding.package.version = "1:3.0.11-1~deb12u1";
    out.resource_type = "AWS_EC2_INSTANCE";
    out.resource_details_json = fmt::format(
        R"({{"imageId":"ami-{:08x}","platform":"DEBIAN_12","vpcId":"vpc-1"}})", resource % 50);
  } else if (kind < 9) {
    finding.resource_id = fmt::format("arn:aws:ecr:us-east-1:{}:repository/app-{}/sha256:{:064x}",
                                      account, resource % 300, resource);
    finding.package.ecosystem = vigil::model::Ecosystem::kNpm;
    finding.package.version = "4.17.20";
    finding.package.locations = {"/app/node_modules/x/package.json"};
    finding.package.layer_digest = fmt::format("sha256:{:064x}", resource % 1000);
    out.resource_type = "AWS_ECR_CONTAINER_IMAGE";
    out.resource_details_json = fmt::format(
        R"({{"repositoryName":"app-{}","registry":"{}","imageTags":["latest"],"pushedAt":{}}})",
        resource % 300, account, 1700000000 + resource);
  } else {
    finding.resource_id =
        fmt::format("arn:aws:lambda:us-east-1:{}:function:fn-{}", account, resource);
    finding.package.ecosystem = vigil::model::Ecosystem::kPyPI;
    finding.package.version = "2.25.0";
    finding.package.locations = {"requirements.txt"};
    out.resource_type = "AWS_LAMBDA_FUNCTION";
    out.resource_details_json =
        fmt::format(R"({{"functionName":"fn-{}","runtime":"PYTHON_3_11"}})", resource);
  }
  out.region = "us-east-1";
  out.resource_tags = {{"env", resource % 2 == 0 ? "prod" : "dev"}};
  const vigil::store::Timestamp day = 86'400'000;
  const vigil::store::Timestamp base = 1'700'000'000'000;
  out.first_observed_at = base + static_cast<vigil::store::Timestamp>((roll >> 20) % 90) * day;
  out.last_observed_at =
      out.first_observed_at + static_cast<vigil::store::Timestamp>(roll % 30) * day;
  out.updated_at = out.last_observed_at;
  if (status_roll == 1 || status_roll == 2) {
    finding.status = vigil::model::FindingStatus::kClosed;
    out.closed_at = out.last_observed_at;
  }
}

// Opens the cached 1M-finding store, building it on first use.
vigil::store::Store& fleet() {
  static std::unique_ptr<vigil::store::Store> store = [] {
    const fs::path dir = fs::path(VIGIL_BENCH_DIR) / kGeneration;
    const bool cached = fs::exists(dir / "store.db");
    auto opened = vigil::store::open_sqlite_store(dir.string());
    if (!opened) {
      std::fprintf(stderr, "store_bench: %s\n", opened.error().message.c_str());
      std::exit(1);
    }
    auto done = (*opened)->meta("bench.generated");
    if (!cached || !done || !done->has_value()) {
      std::fprintf(stderr, "store_bench: generating %zu findings in %s ...\n", kFindings,
                   dir.c_str());
      const auto start = std::chrono::steady_clock::now();
      std::mt19937_64 random(42);
      std::size_t produced = 0;
      auto loaded = vigil::store::bulk_insert_findings(
          **opened, [&](StoredFinding& next) -> vigil::Result<bool> {
            if (produced == kFindings) {
              return false;
            }
            make_finding(produced++, random, next);
            return true;
          });
      if (!loaded || !(*opened)->put_meta("bench.generated", std::to_string(kFindings))) {
        std::fprintf(stderr, "store_bench: generation failed: %s\n",
                     loaded ? "meta" : loaded.error().message.c_str());
        std::exit(1);
      }
      const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
      std::fprintf(stderr, "store_bench: generated in %.1f s\n", seconds.count());
    }
    return std::move(*opened);
  }();
  return *store;
}

double percentile(std::vector<double> values, double fraction) {
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1));
  return values[index];
}

// 200 ListFindings calls: account + severity filters, default sort, 100 per page; every fourth
// query continues the previous one with its cursor.
void BM_ListFindingsAccountSeverity(benchmark::State& state) {
  auto& store = fleet();
  const std::array<std::vector<std::string>, 3> severities = {
      std::vector<std::string>{"CRITICAL"}, std::vector<std::string>{"CRITICAL", "HIGH"},
      std::vector<std::string>{"HIGH"}};
  std::vector<double> latencies;
  std::size_t rows = 0;
  for (auto _ : state) {
    latencies.clear();
    std::string cursor;
    for (int query_index = 0; query_index < 200; ++query_index) {
      vigil::store::FindingQuery query;
      query.criteria.strings["awsAccountId"] = {
          {vigil::store::StringOp::kEquals,
           kAccounts[static_cast<std::size_t>(query_index / 4) % 3]}};
      for (const auto& severity : severities[static_cast<std::size_t>(query_index / 12) % 3]) {
        query.criteria.strings["severity"].push_back({vigil::store::StringOp::kEquals, severity});
      }
      query.limit = 100;
      query.cursor = query_index % 4 == 0 ? std::string() : cursor;
      const auto start = std::chrono::steady_clock::now();
      auto page = store.list_findings(query);
      latencies.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
      if (!page) {
        state.SkipWithError(page.error().message.c_str());
        return;
      }
      rows += page->items.size();
      cursor = page->next_cursor;
    }
  }
  state.counters["p50_ms"] = percentile(latencies, 0.50);
  state.counters["p99_ms"] = percentile(latencies, 0.99);
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_ListFindingsAccountSeverity)->Unit(benchmark::kMillisecond)->Iterations(1);

void aggregate(benchmark::State& state, const std::string& type, const std::string& sort_by) {
  auto& store = fleet();
  std::size_t groups = 0;
  for (auto _ : state) {
    vigil::store::AggregationQuery query;
    query.aggregation_type = type;
    query.sort_by = sort_by;
    auto rows = store.aggregate_findings(query);
    if (!rows) {
      state.SkipWithError(rows.error().message.c_str());
      return;
    }
    groups = rows->items.size();
    benchmark::DoNotOptimize(rows);
  }
  state.counters["groups"] = static_cast<double>(groups);
}

void BM_AggregateByAccount(benchmark::State& state) { aggregate(state, "ACCOUNT", "CRITICAL"); }
BENCHMARK(BM_AggregateByAccount)->Unit(benchmark::kMillisecond)->Iterations(5);

// Every ACTIVE finding counted by severity (one group per finding type).
void BM_AggregateBySeverity(benchmark::State& state) { aggregate(state, "FINDING_TYPE", "ALL"); }
BENCHMARK(BM_AggregateBySeverity)->Unit(benchmark::kMillisecond)->Iterations(5);

// The heavier groupings (one group per instance, title or package), for reference.
void BM_AggregateOther(benchmark::State& state) {
  const std::array<const char*, 4> kTypes = {"AWS_EC2_INSTANCE", "TITLE", "PACKAGE", "REPOSITORY"};
  const char* type = kTypes[static_cast<std::size_t>(state.range(0))];
  state.SetLabel(type);
  aggregate(state, type, "CRITICAL");
}
BENCHMARK(BM_AggregateOther)->DenseRange(0, 3)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_CountCriticalActive(benchmark::State& state) {
  auto& store = fleet();
  vigil::store::Criteria criteria;
  criteria.strings["severity"] = {{vigil::store::StringOp::kEquals, "CRITICAL"}};
  criteria.strings["findingStatus"] = {{vigil::store::StringOp::kEquals, "ACTIVE"}};
  std::int64_t count = 0;
  for (auto _ : state) {
    auto counted = store.count_findings(criteria, {});
    if (!counted) {
      state.SkipWithError(counted.error().message.c_str());
      return;
    }
    count = *counted;
  }
  state.counters["findings"] = static_cast<double>(count);
}
BENCHMARK(BM_CountCriticalActive)->Unit(benchmark::kMillisecond)->Iterations(5);

// Re-scan of one host with 600 findings: each iteration changes the score of a third of them,
// drops ten and brings ten back, so creates, updates, closes and reopens all happen.
void BM_Reconcile600(benchmark::State& state) {
  auto& store = fleet();
  const std::string resource = "i-bench-reconcile";
  std::vector<StoredFinding> observed(610);
  std::mt19937_64 random(7);
  for (std::size_t index = 0; index < observed.size(); ++index) {
    make_finding(index * kResources, random, observed[index]);  // resource 0: an EC2 host
    observed[index].finding.id =
        fmt::format("arn:aws:inspector2:us-east-1:111111111111:finding/bench{:027}", index);
    observed[index].finding.resource_id = resource;
    observed[index].finding.status = vigil::model::FindingStatus::kActive;
    observed[index].type = "PACKAGE_VULNERABILITY";
  }
  vigil::store::Timestamp now = vigil::store::now_ms();
  std::size_t round = 0;
  vigil::store::ReconcileSummary summary;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<StoredFinding> scan(observed.begin() + static_cast<long>(round % 2) * 10,
                                    observed.begin() + static_cast<long>(round % 2) * 10 + 600);
    for (std::size_t index = round % 3; index < scan.size(); index += 3) {
      scan[index].finding.inspector_score = static_cast<double>(round % 10);
    }
    ++round;
    state.ResumeTiming();
    auto done = store.reconcile_findings(resource, "PACKAGE_VULNERABILITY", std::move(scan), ++now);
    if (!done) {
      state.SkipWithError(done.error().message.c_str());
      return;
    }
    summary = *done;
  }
  state.counters["created"] = static_cast<double>(summary.created);
  state.counters["updated"] = static_cast<double>(summary.updated);
  state.counters["closed"] = static_cast<double>(summary.closed);
  state.counters["reopened"] = static_cast<double>(summary.reopened);
}
BENCHMARK(BM_Reconcile600)->Unit(benchmark::kMillisecond)->Iterations(20);

// The finding document of 10,000 fleet findings (with a CVSS record, two explanation steps and
// a reference each, as a re-match writes them): arg 0 the tree-building reference, 1 the direct
// writer finding_to_json uses. Reports the time per finding.
void BM_FindingToJson(benchmark::State& state) {
  std::vector<StoredFinding> findings(10'000);
  std::mt19937_64 random(11);
  for (std::size_t index = 0; index < findings.size(); ++index) {
    make_finding(index * 37, random, findings[index]);
    auto& finding = findings[index].finding;
    finding.aliases = {"GHSA-xxxx-yyyy-zzzz"};
    finding.references = {"https://nvd.nist.gov/vuln/detail/" + finding.vulnerability_id};
    finding.cvss = {{"3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", finding.inspector_score,
                     "nvd@nist.gov (Primary)"}};
    finding.risk_explanation = {{"base", "", "7.5", "CVSS v3.1 base score"},
                                {"epss", "7.5", "6.1", "EPSS 0.2% (percentile 40)"}};
  }
  const bool direct = state.range(0) == 1;
  state.SetLabel(direct ? "direct" : "reference");
  std::size_t bytes = 0;
  for (auto _ : state) {
    bytes = 0;
    for (const auto& finding : findings) {
      const std::string document = direct
                                       ? vigil::store::internal::finding_to_json(finding)
                                       : vigil::store::internal::finding_to_json_reference(finding);
      bytes += document.size();
      benchmark::DoNotOptimize(document.data());
    }
  }
  state.counters["time_per_finding"] = benchmark::Counter(
      static_cast<double>(findings.size()),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["bytes_per_finding"] =
      static_cast<double>(bytes) / static_cast<double>(findings.size());
}
BENCHMARK(BM_FindingToJson)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
