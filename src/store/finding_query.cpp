// SqliteStore: listing (keyset pagination), counting and aggregating findings.
#include <array>
#include <memory>
#include <span>

#include "store/internal/criteria_sql.hpp"
#include "store/internal/cursor.hpp"
#include "store/internal/finding_rows.hpp"
#include "store/internal/sqlite_store.hpp"

namespace vigil::store::internal {

namespace {

constexpr std::size_t kDefaultLimit = 100;

enum class ValueType { kInt, kReal, kText };

// One Inspector SortField: its key expressions (an optional second key before the id).
struct SortSpec {
  std::string_view name;
  std::string_view primary;
  ValueType primary_type;
  std::string_view secondary = {};
  ValueType secondary_type = ValueType::kInt;
};

constexpr std::array kSorts = {
    SortSpec{"SEVERITY", "f.severity_rank", ValueType::kInt, "f.last_observed_at", ValueType::kInt},
    SortSpec{"LAST_OBSERVED_AT", "f.last_observed_at", ValueType::kInt},
    SortSpec{"FIRST_OBSERVED_AT", "f.first_observed_at", ValueType::kInt},
    SortSpec{"INSPECTOR_SCORE", "f.inspector_score", ValueType::kReal},
    SortSpec{"EPSS_SCORE", "coalesce(f.epss, -1.0)", ValueType::kReal},
    SortSpec{"VULNERABILITY_ID", "f.vulnerability_id", ValueType::kText},
    SortSpec{"AWS_ACCOUNT_ID", "f.account_id", ValueType::kText},
    SortSpec{"RESOURCE_TYPE", "f.resource_type", ValueType::kText},
    SortSpec{"COMPONENT_TYPE", "f.component_type", ValueType::kText},
    SortSpec{"NETWORK_PROTOCOL", "f.network_protocol", ValueType::kText},
    SortSpec{"ECR_IMAGE_PUSHED_AT", "coalesce(f.ecr_pushed_at, 0)", ValueType::kInt},
    SortSpec{"ECR_IMAGE_REPOSITORY_NAME", "f.ecr_repository", ValueType::kText},
    SortSpec{"ECR_IMAGE_REGISTRY", "f.ecr_registry", ValueType::kText},
    SortSpec{"VENDOR_SEVERITY", "f.vendor_severity", ValueType::kText},
    SortSpec{"FINDING_TYPE", "f.finding_type", ValueType::kText},
    SortSpec{"FINDING_STATUS", "f.status", ValueType::kText},
    SortSpec{"VULNERABILITY_SOURCE", "f.vulnerability_source", ValueType::kText},
};

Value column_value(const sql::Statement& row, int index, ValueType type) {
  switch (type) {
    case ValueType::kInt:
      return row.column_int(index);
    case ValueType::kReal:
      return row.column_double(index);
    case ValueType::kText:
      return std::string(row.column_text(index));
  }
  return nullptr;
}

// Appends a keyset condition "(k1, k2, ...) < (?, ?, ...)" (or ">" ascending).
void after_key(SqlCondition& condition, std::span<const std::string> exprs,
               const std::vector<Value>& key, SortOrder order) {
  std::string lhs;
  std::string rhs;
  for (const auto& expr : exprs) {
    lhs += lhs.empty() ? expr : ", " + expr;
    rhs += rhs.empty() ? "?" : ", ?";
  }
  condition.and_with(
      fmt::format("({}) {} ({})", lhs, order == SortOrder::kDescending ? "<" : ">", rhs), key);
}

std::string order_by(std::span<const std::string> exprs, SortOrder order) {
  std::string out;
  const char* direction = order == SortOrder::kDescending ? " DESC" : " ASC";
  for (const auto& expr : exprs) {
    out += (out.empty() ? "" : ", ") + expr + direction;
  }
  return out;
}

// One named SQL expression.
struct Column {
  std::string_view name;
  std::string_view expr;
};

// One Inspector AggregationType. Aggregation runs in two levels so the big scan does no
// per-row arithmetic: the inner query counts rows (`n`) per group key, severity rank (`r`) and
// `dims`, also computing the `partials`; the outer query folds those partitions into one row per
// group with the severity counts, `sorts` and `attributes` (expressions over n, r, dims and
// partials). With the (status, account_id, severity_rank, exploit, fix) index the inner query of
// ACCOUNT is a covering index walk in GROUP BY order; per-resource types walk
// (status, resource_type, resource_id, severity_rank, finding_type) and look their descriptive
// attributes up for the returned page only.
struct AggregationSpec {
  std::string_view type;
  std::string_view where;          // extra restriction over `f` ("" = none)
  std::vector<Column> group;       // group key; the first is AggregationRow::key
  std::vector<Column> dims;        // extra inner GROUP BY columns (alias, expression over f)
  std::vector<Column> partials;    // inner aggregates (alias, aggregate over f)
  std::vector<Column> attributes;  // outer aggregates reported in attrs
  std::vector<Column> sorts;       // extra sort_by names -> outer aggregate
  bool packages = false;           // groups package rows (finding_packages AS p)
  // Attributes looked up for the returned rows only (correlated subqueries over k0, k1, ...):
  // reading them in the scan would touch every table row instead of a covering index.
  std::vector<Column> lookups = {};
};

// "(SELECT l.<column> FROM findings AS l WHERE l.resource_id = <key> LIMIT 1)" (`expr` is a
// column name or an expression over `l`). Only called while the specs are built (once, under
// the static's initialisation guard); the pool keeps the texts the Column views point at.
std::string_view lookup_expr(std::string_view expr, std::string_view key) {
  static std::vector<std::unique_ptr<std::string>> pool;
  const bool column = expr.find('(') == std::string_view::npos;
  pool.push_back(std::make_unique<std::string>(
      fmt::format("(SELECT {}{} FROM findings AS l WHERE l.resource_id = {} LIMIT 1)",
                  column ? "l." : "", expr, key)));
  return *pool.back();
}

const std::vector<AggregationSpec>& aggregation_specs() {
  const auto kLookup = lookup_expr;
  const Column exploit_dim{"e", "f.exploit_available"};
  const Column fix_dim{"x", "f.fix_available"};
  const Column exploit_count{"exploitAvailableCount", "sum(CASE WHEN e = 'YES' THEN n ELSE 0 END)"};
  const Column fix_count{"fixAvailableCount", "sum(CASE WHEN x = 'YES' THEN n ELSE 0 END)"};
  const Column resource_dim{"d", "f.resource_id"};
  static const std::vector<AggregationSpec> kSpecs = {
      {"ACCOUNT",
       "",
       {{"accountId", "f.account_id"}},
       {exploit_dim, fix_dim},
       {},
       {exploit_count, fix_count},
       {}},
      {"AMI",
       "f.ec2_image_id <> ''",
       {{"ami", "f.ec2_image_id"}, {"accountId", "f.account_id"}},
       {resource_dim},
       {},
       {{"affectedInstances", "count(DISTINCT d)"}},
       {{"AFFECTED_INSTANCES", "count(DISTINCT d)"}}},
      {"AWS_EC2_INSTANCE",
       "f.resource_type = 'AWS_EC2_INSTANCE'",
       {{"instanceId", "f.resource_id"}},
       {},
       {{"i0", "sum(f.finding_type = 'NETWORK_REACHABILITY')"}},
       {{"networkFindings", "sum(i0)"}},
       {{"NETWORK_FINDINGS", "sum(i0)"}},
       false,
       {{"ami", kLookup("ec2_image_id", "k0")},
        {"operatingSystem", kLookup("json_extract(l.details, '$.platform')", "k0")},
        {"accountId", kLookup("account_id", "k0")}}},
      {"AWS_ECR_CONTAINER",
       "f.resource_type = 'AWS_ECR_CONTAINER_IMAGE'",
       {{"resourceId", "f.resource_id"}},
       {},
       {},
       {},
       {},
       false,
       {{"repository", kLookup("ecr_repository", "k0")},
        {"imageSha", kLookup("json_extract(l.details, '$.imageHash')", "k0")},
        {"architecture", kLookup("json_extract(l.details, '$.architecture')", "k0")},
        {"imageTags", kLookup("json_extract(l.details, '$.imageTags')", "k0")},
        {"accountId", kLookup("account_id", "k0")}}},
      {"IMAGE_LAYER",
       "f.resource_type = 'AWS_ECR_CONTAINER_IMAGE' AND f.layer <> ''",
       {{"layerHash", "f.layer"}, {"resourceId", "f.resource_id"}},
       {},
       {},
       {},
       {},
       false,
       {{"repository", kLookup("ecr_repository", "k1")},
        {"accountId", kLookup("account_id", "k1")}}},
      {"PACKAGE", "", {{"packageName", "p.name"}}, {}, {}, {}, {}, true},
      {"REPOSITORY",
       "f.resource_type = 'AWS_ECR_CONTAINER_IMAGE' AND f.ecr_repository <> ''",
       {{"repository", "f.ecr_repository"}, {"accountId", "f.account_id"}},
       {resource_dim},
       {},
       {{"affectedImages", "count(DISTINCT d)"}},
       {{"AFFECTED_IMAGES", "count(DISTINCT d)"}}},
      {"TITLE",
       "",
       {{"title", "f.title"}, {"vulnerabilityId", "f.vulnerability_id"}},
       {},
       {},
       {},
       {}},
      {"AWS_LAMBDA_FUNCTION",
       "f.resource_type = 'AWS_LAMBDA_FUNCTION'",
       {{"resourceId", "f.resource_id"}},
       {},
       {},
       {},
       {},
       false,
       {{"functionName", kLookup("lambda_function_name", "k0")},
        {"runtime", kLookup("lambda_runtime", "k0")},
        {"accountId", kLookup("account_id", "k0")},
        {"lastModifiedAt", kLookup("lambda_last_modified_at", "k0")}}},
      {"LAMBDA_LAYER",
       "f.resource_type = 'AWS_LAMBDA_FUNCTION' AND f.layer >= 'arn:' AND f.layer < 'arn;'",
       {{"layerArn", "f.layer"}, {"resourceId", "f.resource_id"}},
       {},
       {},
       {},
       {},
       false,
       {{"functionName", kLookup("lambda_function_name", "k1")},
        {"accountId", kLookup("account_id", "k1")}}},
      {"FINDING_TYPE",
       "",
       {{"findingType", "f.finding_type"}},
       {exploit_dim, fix_dim},
       {},
       {exploit_count, fix_count},
       {}},
  };
  return kSpecs;
}

constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kCountSorts{{
    {"ALL", "n_all"},
    {"CRITICAL", "n_critical"},
    {"HIGH", "n_high"},
    {"MEDIUM", "n_medium"},
    {"LOW", "n_low"},
}};

std::string attribute_text(const sql::Statement& row, int index) {
  // Aggregates are integers (counts, timestamps) or text; doubles do not occur.
  const std::string_view text = row.column_text(index);
  return std::string(text);
}

}  // namespace

Result<Page<StoredFinding>> SqliteStore::list_findings(const FindingQuery& query) {
  const std::string_view sort_name =
      query.sort_field.empty() ? std::string_view("SEVERITY") : std::string_view(query.sort_field);
  const SortSpec* sort = nullptr;
  for (const auto& spec : kSorts) {
    if (spec.name == sort_name) {
      sort = &spec;
    }
  }
  if (sort == nullptr) {
    return fail(Error::invalid_argument("unknown sort field '{}'", sort_name));
  }
  VIGIL_ASSIGN_OR_RETURN(auto condition, compile_finding_criteria(query.criteria));
  restrict_to_accounts(condition, "f.account_id", query.account_scope);

  std::vector<std::string> keys = {std::string(sort->primary)};
  std::vector<ValueType> types = {sort->primary_type};
  if (!sort->secondary.empty()) {
    keys.emplace_back(sort->secondary);
    types.push_back(sort->secondary_type);
  }
  keys.emplace_back("f.arn");
  types.push_back(ValueType::kText);

  const std::string tag = fmt::format("findings:{}:{}", sort->name,
                                      query.sort_order == SortOrder::kDescending ? "D" : "A");
  const std::size_t limit = query.limit == 0 ? kDefaultLimit : query.limit;
  const auto fetch = static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX - 1) + 1);
  std::string key_columns;
  std::vector<std::string> aliases;
  for (std::size_t index = 0; index < keys.size(); ++index) {
    key_columns += fmt::format(", {} AS s{}", keys[index], index);
    aliases.push_back(fmt::format("s{}", index));
  }
  const std::string select =
      fmt::format("SELECT {}{} FROM findings AS f WHERE ", kFindingReadColumns, key_columns);
  const std::string ordering = order_by(keys, query.sort_order);
  std::string sql;
  std::vector<Value> values;
  if (query.cursor.empty()) {
    sql = fmt::format("{}{} ORDER BY {} LIMIT ?", select, condition.sql, ordering);
    values = condition.values;
    values.emplace_back(fetch);
  } else {
    VIGIL_ASSIGN_OR_RETURN(const auto after, decode_cursor(query.cursor, tag, keys.size()));
    // "After the cursor" as disjoint arms, most specific first: (k0 = c0 AND k1 = c1 AND
    // arn < c2), (k0 = c0 AND k1 < c1), (k0 < c0). Each arm is an index seek even when the
    // criteria constrain k0 with an IN list, where a row-value comparison would be a filter
    // walking every row before the cursor.
    const char* op = query.sort_order == SortOrder::kDescending ? "<" : ">";
    for (std::size_t arm = keys.size(); arm-- > 0;) {
      std::string where = condition.sql;
      values.insert(values.end(), condition.values.begin(), condition.values.end());
      for (std::size_t index = 0; index < arm; ++index) {
        where += fmt::format(" AND {} = ?", keys[index]);
        values.push_back(after[index]);
      }
      where += fmt::format(" AND {} {} ?", keys[arm], op);
      values.push_back(after[arm]);
      sql += fmt::format("{}SELECT * FROM ({}{} ORDER BY {} LIMIT ?)",
                         sql.empty() ? "" : " UNION ALL ", select, where, ordering);
      values.emplace_back(fetch);
    }
    sql += fmt::format(" ORDER BY {} LIMIT ?", order_by(aliases, query.sort_order));
    values.emplace_back(fetch);
  }

  VIGIL_ASSIGN_OR_RETURN(auto conn, database_->reader());
  VIGIL_ASSIGN_OR_RETURN(auto statement, conn->statement(sql));
  bind_values(*statement, values);
  Page<StoredFinding> page;
  std::vector<Value> last_key;
  constexpr int kFirstKey = 8;  // kFindingReadColumns has 8 columns
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool row, statement->step());
    if (!row) {
      break;
    }
    if (page.items.size() == limit) {
      page.next_cursor = encode_cursor(tag, last_key);
      break;
    }
    VIGIL_ASSIGN_OR_RETURN(auto stored, read_finding_row(*statement));
    page.items.push_back(std::move(stored));
    last_key.clear();
    for (std::size_t index = 0; index < keys.size(); ++index) {
      last_key.push_back(
          column_value(*statement, kFirstKey + static_cast<int>(index), types[index]));
    }
  }
  return page;
}

Result<std::int64_t> SqliteStore::count_findings(const Criteria& criteria,
                                                 const std::vector<std::string>& account_scope) {
  VIGIL_ASSIGN_OR_RETURN(auto condition, compile_finding_criteria(criteria));
  restrict_to_accounts(condition, "f.account_id", account_scope);
  VIGIL_ASSIGN_OR_RETURN(auto conn, database_->reader());
  VIGIL_ASSIGN_OR_RETURN(
      auto statement,
      conn->statement(fmt::format("SELECT count(*) FROM findings AS f WHERE {}", condition.sql)));
  bind_values(*statement, condition.values);
  VIGIL_ASSIGN_OR_RETURN(const bool row, statement->step());
  return row ? statement->column_int(0) : 0;
}

Result<Page<AggregationRow>> SqliteStore::aggregate_findings(const AggregationQuery& query) {
  const AggregationSpec* spec = nullptr;
  for (const auto& candidate : aggregation_specs()) {
    if (candidate.type == query.aggregation_type) {
      spec = &candidate;
    }
  }
  if (spec == nullptr) {
    return fail(
        Error::invalid_argument("unsupported aggregation type '{}'", query.aggregation_type));
  }
  const std::string_view sort_by =
      query.sort_by.empty() ? std::string_view("CRITICAL") : std::string_view(query.sort_by);
  // The sort column and its position among the counts (n_all ... n_low, then s0, s1, ...).
  std::string sort_column;
  int sort_position = 0;
  for (std::size_t index = 0; index < kCountSorts.size(); ++index) {
    if (kCountSorts[index].first == sort_by) {
      sort_column = kCountSorts[index].second;
      sort_position = static_cast<int>(index);
    }
  }
  std::string extra_columns;
  for (std::size_t index = 0; index < spec->sorts.size(); ++index) {
    extra_columns += fmt::format(", {} AS s{}", spec->sorts[index].expr, index);
    if (spec->sorts[index].name == sort_by) {
      sort_column = fmt::format("s{}", index);
      sort_position = static_cast<int>(kCountSorts.size() + index);
    }
  }
  if (sort_column.empty()) {
    return fail(Error::invalid_argument("aggregation {} cannot sort by '{}'", spec->type, sort_by));
  }
  VIGIL_ASSIGN_OR_RETURN(auto condition, compile_finding_criteria(query.criteria));
  restrict_to_accounts(condition, "f.account_id", query.account_scope);
  condition.and_with("f.status = 'ACTIVE'");
  if (!spec->where.empty()) {
    condition.and_with(spec->where);
  }
  std::string inner_select;
  std::string inner_group;
  std::string outer_group;
  std::vector<std::string> keys = {sort_column};
  for (std::size_t index = 0; index < spec->group.size(); ++index) {
    inner_select += fmt::format("{} AS k{}, ", spec->group[index].expr, index);
    inner_group += fmt::format("{}, ", spec->group[index].expr);
    outer_group += fmt::format("{}k{}", index == 0 ? "" : ", ", index);
    keys.push_back(fmt::format("k{}", index));
  }
  inner_select += "f.severity_rank AS r";
  inner_group += "f.severity_rank";
  for (const auto& dim : spec->dims) {
    inner_select += fmt::format(", {} AS {}", dim.expr, dim.name);
    inner_group += fmt::format(", {}", dim.expr);
  }
  for (const auto& partial : spec->partials) {
    inner_select += fmt::format(", {} AS {}", partial.expr, partial.name);
  }
  for (std::size_t index = 0; index < spec->attributes.size(); ++index) {
    extra_columns += fmt::format(", {} AS a{}", spec->attributes[index].expr, index);
  }
  const std::string from = spec->packages
                               ? "findings AS f JOIN finding_packages AS p ON p.finding_id = f.id"
                               : "findings AS f";
  const std::string inner = fmt::format(
      "SELECT {}, sum(n) AS n_all, sum(CASE WHEN r = 5 THEN n ELSE 0 END) AS n_critical, "
      "sum(CASE WHEN r = 4 THEN n ELSE 0 END) AS n_high, "
      "sum(CASE WHEN r = 3 THEN n ELSE 0 END) AS n_medium, "
      "sum(CASE WHEN r = 2 THEN n ELSE 0 END) AS n_low{} FROM "
      "(SELECT {}, count(*) AS n FROM {} WHERE {} GROUP BY {}) GROUP BY {}",
      outer_group, extra_columns, inner_select, from, condition.sql, inner_group, outer_group);

  const std::string tag = fmt::format("aggregation:{}:{}:{}", spec->type, sort_by,
                                      query.sort_order == SortOrder::kDescending ? "D" : "A");
  SqlCondition outer;
  if (!query.cursor.empty()) {
    VIGIL_ASSIGN_OR_RETURN(const auto after, decode_cursor(query.cursor, tag, keys.size()));
    after_key(outer, keys, after, query.sort_order);
  }
  const std::size_t limit = query.limit == 0 ? kDefaultLimit : query.limit;
  std::string lookups;
  for (std::size_t index = 0; index < spec->lookups.size(); ++index) {
    lookups += fmt::format(", {} AS l{}", spec->lookups[index].expr, index);
  }
  const std::string sql = fmt::format(
      "SELECT page.*{} FROM (SELECT * FROM ({}) WHERE {} ORDER BY {} LIMIT ?) AS page ORDER BY {}",
      lookups, inner, outer.sql, order_by(keys, query.sort_order),
      order_by(keys, query.sort_order));

  VIGIL_ASSIGN_OR_RETURN(auto conn, database_->reader());
  VIGIL_ASSIGN_OR_RETURN(auto statement, conn->statement(sql));
  bind_values(*statement, condition.values);
  bind_values(*statement, outer.values, static_cast<int>(condition.values.size()) + 1);
  statement->bind(static_cast<int>(condition.values.size() + outer.values.size()) + 1,
                  static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX - 1) + 1));

  const int group_count = static_cast<int>(spec->group.size());
  const int counts_at = group_count;
  const int sorts_at = counts_at + static_cast<int>(kCountSorts.size());
  const int attributes_at = sorts_at + static_cast<int>(spec->sorts.size());
  Page<AggregationRow> page;
  std::vector<Value> last_key;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool has_row, statement->step());
    if (!has_row) {
      break;
    }
    if (page.items.size() == limit) {
      page.next_cursor = encode_cursor(tag, last_key);
      break;
    }
    AggregationRow row;
    row.key = std::string(statement->column_text(0));
    for (int index = 1; index < group_count; ++index) {
      row.attrs[std::string(spec->group[static_cast<std::size_t>(index)].name)] =
          std::string(statement->column_text(index));
    }
    row.all = statement->column_int(counts_at);
    row.critical = statement->column_int(counts_at + 1);
    row.high = statement->column_int(counts_at + 2);
    row.medium = statement->column_int(counts_at + 3);
    row.low = statement->column_int(counts_at + 4);
    for (std::size_t index = 0; index < spec->attributes.size(); ++index) {
      const int column = attributes_at + static_cast<int>(index);
      if (!statement->column_is_null(column)) {
        row.attrs[std::string(spec->attributes[index].name)] = attribute_text(*statement, column);
      }
    }
    const int lookups_at = attributes_at + static_cast<int>(spec->attributes.size());
    for (std::size_t index = 0; index < spec->lookups.size(); ++index) {
      const int column = lookups_at + static_cast<int>(index);
      if (!statement->column_is_null(column)) {
        row.attrs[std::string(spec->lookups[index].name)] = attribute_text(*statement, column);
      }
    }
    // The key of this row, in the order of `keys`: sort column, then group columns.
    last_key.clear();
    last_key.emplace_back(statement->column_int(counts_at + sort_position));
    for (int index = 0; index < group_count; ++index) {
      last_key.emplace_back(std::string(statement->column_text(index)));
    }
    page.items.push_back(std::move(row));
  }
  return page;
}

}  // namespace vigil::store::internal
