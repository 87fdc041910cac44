#include "store/internal/criteria_sql.hpp"

#include <array>
#include <cmath>
#include <span>
#include <utility>

#include "store/internal/codec.hpp"

namespace vigil::store::internal {

namespace {

enum class Kind { kString, kDate, kNumber, kMap, kPort };

// How one criteria field is evaluated. Scalars compare `expr`; list fields (`source` set) match
// when any element's `expr` matches (EXISTS over `source`); map fields compare `expr` (the key)
// and `value` over the rows of `source`.
struct Field {
  std::string_view name;
  Kind kind;
  std::string_view expr;
  std::string_view source = {};
  std::string_view value = {};
};

constexpr std::string_view kSeverityField = "severity";

// Every FilterCriteria member except the code-scanning ones (§4.2 of the Inspector reference).
constexpr std::array kFindingFields = {
    Field{"findingArn", Kind::kString, "f.arn"},
    Field{"awsAccountId", Kind::kString, "f.account_id"},
    Field{"findingType", Kind::kString, "f.finding_type"},
    Field{"severity", Kind::kString, "f.severity"},
    Field{"firstObservedAt", Kind::kDate, "f.first_observed_at"},
    Field{"lastObservedAt", Kind::kDate, "f.last_observed_at"},
    Field{"updatedAt", Kind::kDate, "f.updated_at"},
    Field{"findingStatus", Kind::kString, "f.status"},
    Field{"title", Kind::kString, "f.title"},
    Field{"inspectorScore", Kind::kNumber, "f.inspector_score"},
    Field{"resourceType", Kind::kString, "f.resource_type"},
    Field{"resourceId", Kind::kString, "f.resource_id"},
    Field{"resourceTags", Kind::kMap, "t.key", "finding_tags AS t WHERE t.finding_id = f.id",
          "t.value"},
    Field{"ec2InstanceImageId", Kind::kString, "f.ec2_image_id"},
    Field{"ec2InstanceVpcId", Kind::kString, "json_extract(f.details, '$.vpcId')"},
    Field{"ec2InstanceSubnetId", Kind::kString, "json_extract(f.details, '$.subnetId')"},
    Field{"ecrImagePushedAt", Kind::kDate, "f.ecr_pushed_at"},
    Field{"ecrImageArchitecture", Kind::kString, "json_extract(f.details, '$.architecture')"},
    Field{"ecrImageRegistry", Kind::kString, "f.ecr_registry"},
    Field{"ecrImageRepositoryName", Kind::kString, "f.ecr_repository"},
    Field{"ecrImageTags", Kind::kString, "e.value", "json_each(f.details, '$.imageTags') AS e"},
    Field{"ecrImageHash", Kind::kString, "json_extract(f.details, '$.imageHash')"},
    Field{"ecrImageLastInUseAt", Kind::kDate, "f.ecr_last_in_use_at"},
    Field{"ecrImageInUseCount", Kind::kNumber, "f.ecr_in_use_count"},
    Field{"portRange", Kind::kPort, "f.port_begin", {}, "f.port_end"},
    Field{"networkProtocol", Kind::kString, "f.network_protocol"},
    Field{"componentId", Kind::kString, "json_extract(e.value, '$.componentId')",
          "json_each(f.network, '$.networkPath.steps') AS e"},
    Field{"componentType", Kind::kString, "json_extract(e.value, '$.componentType')",
          "json_each(f.network, '$.networkPath.steps') AS e"},
    Field{"vulnerabilityId", Kind::kString, "f.vulnerability_id"},
    Field{"vulnerabilitySource", Kind::kString, "f.vulnerability_source"},
    Field{"vendorSeverity", Kind::kString, "f.vendor_severity"},
    Field{"relatedVulnerabilities", Kind::kString, "e.value", "json_each(f.related) AS e"},
    Field{"fixAvailable", Kind::kString, "f.fix_available"},
    Field{"lambdaFunctionName", Kind::kString, "f.lambda_function_name"},
    Field{"lambdaFunctionLayers", Kind::kString, "e.value",
          "json_each(f.details, '$.layers') AS e"},
    Field{"lambdaFunctionRuntime", Kind::kString, "f.lambda_runtime"},
    Field{"lambdaFunctionLastModifiedAt", Kind::kDate, "f.lambda_last_modified_at"},
    Field{"lambdaFunctionExecutionRoleArn", Kind::kString,
          "json_extract(f.details, '$.executionRoleArn')"},
    Field{"exploitAvailable", Kind::kString, "f.exploit_available"},
    Field{"epssScore", Kind::kNumber, "f.epss"},
};

constexpr std::string_view kPackagesField = "vulnerablePackages";

// CoverageFilterCriteria members (code repositories are out of scope).
constexpr std::array kCoverageFields = {
    Field{"scanStatusCode", Kind::kString, "c.status_code"},
    Field{"scanStatusReason", Kind::kString, "c.reason"},
    Field{"accountId", Kind::kString, "c.account_id"},
    Field{"resourceId", Kind::kString, "c.resource_id"},
    Field{"resourceType", Kind::kString, "c.resource_type"},
    Field{"scanType", Kind::kString, "c.scan_type"},
    Field{"scanMode", Kind::kString, "r.scan_mode"},
    Field{"ecrRepositoryName", Kind::kString, "json_extract(r.details, '$.repositoryName')"},
    Field{"ecrImageTags", Kind::kString, "e.value", "json_each(r.details, '$.imageTags') AS e"},
    Field{"lambdaFunctionName", Kind::kString, "json_extract(r.details, '$.functionName')"},
    Field{"lambdaFunctionRuntime", Kind::kString, "json_extract(r.details, '$.runtime')"},
    Field{"ec2InstanceTags", Kind::kMap, "e.key",
          "json_each(r.tags_json) AS e WHERE c.resource_type = 'AWS_EC2_INSTANCE'", "e.value"},
    Field{"lambdaFunctionTags", Kind::kMap, "e.key",
          "json_each(r.tags_json) AS e WHERE c.resource_type = 'AWS_LAMBDA_FUNCTION'", "e.value"},
    Field{"lastScannedAt", Kind::kDate, "c.last_scanned_at"},
    Field{"imagePulledAt", Kind::kDate, "r.ecr_image_pulled_at"},
    Field{"ecrImageLastInUseAt", Kind::kDate, "r.ecr_last_in_use_at"},
    Field{"ecrImageInUseCount", Kind::kNumber, "r.ecr_in_use_count"},
};

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::kString:
      return "string";
    case Kind::kDate:
      return "date";
    case Kind::kNumber:
      return "number";
    case Kind::kMap:
      return "map";
    case Kind::kPort:
      return "port range";
  }
  return "string";
}

Result<const Field*> lookup(std::span<const Field> fields, const std::string& name, Kind kind) {
  for (const auto& field : fields) {
    if (field.name == name) {
      if (field.kind != kind) {
        return fail(Error::invalid_argument("criteria field '{}' takes {} filters, not {} filters",
                                            name, kind_name(field.kind), kind_name(kind)));
      }
      return &field;
    }
  }
  return fail(Error::invalid_argument("unknown criteria field '{}'", name));
}

// PREFIX as a range on the binary collation: every valid UTF-8 string starting with `p` sorts
// at or after `p` and before `p` + 0xFF (a byte that never occurs in UTF-8), and no other does.
std::string prefix_upper_bound(const std::string& prefix) { return prefix + '\xff'; }

// One string comparison of `expr`; NOT_EQUALS is null-safe so absent values are "not equal".
void string_comparison(std::string_view expr, const StringFilter& filter, std::string& sql,
                       std::vector<Value>& values) {
  switch (filter.op) {
    case StringOp::kEquals:
      sql += fmt::format("{} = ?", expr);
      values.emplace_back(filter.value);
      return;
    case StringOp::kPrefix:
      sql += fmt::format("({0} >= ? AND {0} < ?)", expr);
      values.emplace_back(filter.value);
      values.emplace_back(prefix_upper_bound(filter.value));
      return;
    case StringOp::kNotEquals:
      sql += fmt::format("{} IS NOT ?", expr);
      values.emplace_back(filter.value);
      return;
  }
}

// Filters of one field: EQUALS and PREFIX are OR-ed, NOT_EQUALS are AND-ed, and both groups must
// hold. Scalar EQUALS values become one IN list so an index can serve them.
void compile_string_field(const Field& field, const std::vector<StringFilter>& filters,
                          SqlCondition& out) {
  const bool severity =
      field.name == kSeverityField && field.source.empty() && field.expr == "f.severity";
  std::vector<std::string> positives;
  std::vector<Value> positive_values;
  std::vector<std::string> negatives;
  std::vector<Value> negative_values;
  std::vector<Value> in_values;
  for (const auto& filter : filters) {
    if (filter.op == StringOp::kNotEquals) {
      std::string clause;
      if (field.source.empty()) {
        string_comparison(field.expr, filter, clause, negative_values);
      } else {
        clause =
            fmt::format("NOT EXISTS (SELECT 1 FROM {} WHERE {} = ?)", field.source, field.expr);
        negative_values.emplace_back(filter.value);
      }
      negatives.push_back(std::move(clause));
    } else if (filter.op == StringOp::kEquals && field.source.empty()) {
      if (severity) {
        // Severity compares by rank so the (account, severity_rank, ...) index serves it; a
        // name that is no severity matches nothing.
        const auto parsed = parse_severity(filter.value);
        in_values.emplace_back(static_cast<std::int64_t>(parsed ? severity_rank(*parsed) : -1));
      } else {
        in_values.emplace_back(filter.value);
      }
    } else {
      std::string clause;
      if (field.source.empty()) {
        string_comparison(field.expr, filter, clause, positive_values);
      } else {
        std::string inner;
        string_comparison(field.expr, filter, inner, positive_values);
        clause = fmt::format("EXISTS (SELECT 1 FROM {} WHERE {})", field.source, inner);
      }
      positives.push_back(std::move(clause));
    }
  }
  std::string sql;
  std::vector<Value> values;
  if (!in_values.empty() || !positives.empty()) {
    std::string any;
    if (!in_values.empty()) {
      std::string marks;
      for (std::size_t index = 0; index < in_values.size(); ++index) {
        marks += index == 0 ? "?" : ", ?";
      }
      any = fmt::format("{} IN ({})", severity ? "f.severity_rank" : field.expr, marks);
      values = std::move(in_values);
    }
    for (auto& clause : positives) {
      any += any.empty() ? clause : " OR " + clause;
    }
    values.insert(values.end(), positive_values.begin(), positive_values.end());
    sql = "(" + any + ")";
  }
  for (auto& clause : negatives) {
    sql += sql.empty() ? clause : " AND " + clause;
  }
  values.insert(values.end(), negative_values.begin(), negative_values.end());
  if (!sql.empty()) {
    out.and_with("(" + sql + ")", std::move(values));
  }
}

void compile_date_field(const Field& field, const std::vector<DateFilter>& filters,
                        SqlCondition& out) {
  std::string any;
  std::vector<Value> values;
  for (const auto& filter : filters) {
    std::string clause = fmt::format("{} IS NOT NULL", field.expr);
    if (filter.start != 0) {
      clause += fmt::format(" AND {} >= ?", field.expr);
      values.emplace_back(static_cast<std::int64_t>(filter.start));
    }
    if (filter.end != 0) {
      clause += fmt::format(" AND {} <= ?", field.expr);
      values.emplace_back(static_cast<std::int64_t>(filter.end));
    }
    any += (any.empty() ? "(" : " OR (") + clause + ")";
  }
  if (!any.empty()) {
    out.and_with("(" + any + ")", std::move(values));
  }
}

Result<void> compile_number_range(std::string_view name, std::string_view expr,
                                  const NumberFilter& filter, std::string& clause,
                                  std::vector<Value>& values) {
  clause = fmt::format("{} IS NOT NULL", expr);
  for (const auto& [bound, op] : {std::pair{filter.lower, ">="}, std::pair{filter.upper, "<="}}) {
    if (!bound) {
      continue;
    }
    if (!std::isfinite(*bound)) {
      return fail(
          Error::invalid_argument("criteria field '{}': bound is not a finite number", name));
    }
    clause += fmt::format(" AND {} {} ?", expr, op);
    values.emplace_back(*bound);
  }
  return {};
}

Result<void> compile_number_field(const Field& field, const std::vector<NumberFilter>& filters,
                                  SqlCondition& out) {
  std::string any;
  std::vector<Value> values;
  for (const auto& filter : filters) {
    std::string clause;
    VIGIL_TRY(compile_number_range(field.name, field.expr, filter, clause, values));
    any += (any.empty() ? "(" : " OR (") + clause + ")";
  }
  if (!any.empty()) {
    out.and_with("(" + any + ")", std::move(values));
  }
  return {};
}

Result<void> compile_map_field(const Field& field, const std::vector<MapFilter>& filters,
                               SqlCondition& out) {
  std::string any;
  std::vector<Value> values;
  for (const auto& filter : filters) {
    if (filter.key.empty()) {
      return fail(Error::invalid_argument("criteria field '{}': empty key", field.name));
    }
    // A map filter without a value asks for the key being present.
    const std::string_view joiner =
        field.source.find(" WHERE ") == std::string_view::npos ? " WHERE " : " AND ";
    std::string clause =
        fmt::format("EXISTS (SELECT 1 FROM {}{}{} = ?", field.source, joiner, field.expr);
    values.emplace_back(filter.key);
    if (!filter.value.empty()) {
      clause += fmt::format(" AND {} = ?", field.value);
      values.emplace_back(filter.value);
    }
    clause += ")";
    any += any.empty() ? clause : " OR " + clause;
  }
  if (!any.empty()) {
    out.and_with("(" + any + ")", std::move(values));
  }
  return {};
}

Result<void> compile_port_field(const Field& field, const std::vector<PortRangeFilter>& filters,
                                SqlCondition& out) {
  std::string any;
  std::vector<Value> values;
  for (const auto& filter : filters) {
    for (const auto& bound : {filter.begin_inclusive, filter.end_inclusive}) {
      if (bound && (*bound < 0 || *bound > 65535)) {
        return fail(Error::invalid_argument("criteria field '{}': port {} outside 0-65535",
                                            field.name, *bound));
      }
    }
    // A finding's open port range matches when it overlaps the filter's range.
    std::string clause = fmt::format("{} IS NOT NULL AND {} IS NOT NULL", field.expr, field.value);
    if (filter.begin_inclusive) {
      clause += fmt::format(" AND {} >= ?", field.value);
      values.emplace_back(static_cast<std::int64_t>(*filter.begin_inclusive));
    }
    if (filter.end_inclusive) {
      clause += fmt::format(" AND {} <= ?", field.expr);
      values.emplace_back(static_cast<std::int64_t>(*filter.end_inclusive));
    }
    any += (any.empty() ? "(" : " OR (") + clause + ")";
  }
  if (!any.empty()) {
    out.and_with("(" + any + ")", std::move(values));
  }
  return {};
}

// vulnerablePackages: each filter's members must hold for one and the same package; filters
// are OR-ed like the values of any other field.
Result<void> compile_packages(const std::vector<PackageFilter>& filters, SqlCondition& out) {
  std::string any;
  std::vector<Value> values;
  for (const auto& filter : filters) {
    std::string clause = "EXISTS (SELECT 1 FROM finding_packages AS p WHERE p.finding_id = f.id";
    const std::array<std::pair<std::string_view, const std::optional<StringFilter>*>, 8> members{{
        {"p.name", &filter.name},
        {"p.version", &filter.version},
        {"CAST(p.epoch AS TEXT)", &filter.epoch_number},
        {"p.release", &filter.release},
        {"p.architecture", &filter.architecture},
        {"p.source_layer_hash", &filter.source_layer_hash},
        {"p.source_lambda_layer_arn", &filter.source_lambda_layer_arn},
        {"p.file_path", &filter.file_path},
    }};
    for (const auto& [expr, member] : members) {
      if (*member) {
        clause += " AND ";
        string_comparison(expr, **member, clause, values);
      }
    }
    if (filter.epoch) {
      std::string range;
      VIGIL_TRY(compile_number_range(kPackagesField, "p.epoch", *filter.epoch, range, values));
      clause += " AND " + range;
    }
    clause += ")";
    any += any.empty() ? clause : " OR " + clause;
  }
  if (!any.empty()) {
    out.and_with("(" + any + ")", std::move(values));
  }
  return {};
}

Result<SqlCondition> compile(std::span<const Field> fields, const Criteria& criteria,
                             bool packages_allowed) {
  SqlCondition out;
  for (const auto& [name, filters] : criteria.strings) {
    VIGIL_ASSIGN_OR_RETURN(const Field* field, lookup(fields, name, Kind::kString));
    compile_string_field(*field, filters, out);
  }
  for (const auto& [name, filters] : criteria.dates) {
    VIGIL_ASSIGN_OR_RETURN(const Field* field, lookup(fields, name, Kind::kDate));
    compile_date_field(*field, filters, out);
  }
  for (const auto& [name, filters] : criteria.numbers) {
    VIGIL_ASSIGN_OR_RETURN(const Field* field, lookup(fields, name, Kind::kNumber));
    VIGIL_TRY(compile_number_field(*field, filters, out));
  }
  for (const auto& [name, filters] : criteria.maps) {
    VIGIL_ASSIGN_OR_RETURN(const Field* field, lookup(fields, name, Kind::kMap));
    VIGIL_TRY(compile_map_field(*field, filters, out));
  }
  for (const auto& [name, filters] : criteria.ports) {
    VIGIL_ASSIGN_OR_RETURN(const Field* field, lookup(fields, name, Kind::kPort));
    VIGIL_TRY(compile_port_field(*field, filters, out));
  }
  if (!criteria.packages.empty()) {
    if (!packages_allowed) {
      return fail(Error::invalid_argument("unknown criteria field '{}'", kPackagesField));
    }
    VIGIL_TRY(compile_packages(criteria.packages, out));
  }
  return out;
}

}  // namespace

void SqlCondition::and_with(std::string_view clause, std::vector<Value> clause_values) {
  sql = sql == "1" ? std::string(clause) : fmt::format("{} AND {}", sql, clause);
  values.insert(values.end(), std::make_move_iterator(clause_values.begin()),
                std::make_move_iterator(clause_values.end()));
}

Result<SqlCondition> compile_finding_criteria(const Criteria& criteria) {
  return compile(kFindingFields, criteria, true);
}

Result<SqlCondition> compile_coverage_criteria(const Criteria& criteria) {
  return compile(kCoverageFields, criteria, false);
}

void restrict_to_accounts(SqlCondition& condition, std::string_view column,
                          const std::vector<std::string>& scope) {
  if (scope.empty()) {
    return;
  }
  std::string marks;
  std::vector<Value> values;
  for (const auto& account : scope) {
    marks += marks.empty() ? "?" : ", ?";
    values.emplace_back(account);
  }
  condition.and_with(fmt::format("{} IN ({})", column, marks), std::move(values));
}

}  // namespace vigil::store::internal

namespace vigil::store {

const std::vector<std::string>& finding_criteria_fields() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const auto& field : internal::kFindingFields) {
      names.emplace_back(field.name);
    }
    names.emplace_back(internal::kPackagesField);
    return names;
  }();
  return kNames;
}

}  // namespace vigil::store
