// SqliteStore: opening, organisation, accounts, resources and inventories.
#include "store/internal/sqlite_store.hpp"

#include <chrono>
#include <filesystem>
#include <set>
#include <system_error>

#include "model/ecosystem.hpp"
#include "store/internal/codec.hpp"
#include "store/internal/finding_columns.hpp"
#include "store/internal/schema.hpp"

namespace vigil::store {

namespace {

constexpr std::string_view kStoreFile = "store.db";

// The (ecosystem, name) key an inventory package is indexed under; the same rule as
// matcher::normalize_name (PEP 503 for PyPI, lower case for NuGet and Packagist).
std::string normalized_package_name(model::Ecosystem ecosystem, std::string_view name) {
  std::string out;
  out.reserve(name.size());
  const auto lower = [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  };
  if (ecosystem == model::Ecosystem::kPyPI) {
    bool in_run = false;
    for (const char c : name) {
      if (c == '-' || c == '_' || c == '.') {
        if (!in_run) {
          out.push_back('-');
        }
        in_run = true;
      } else {
        out.push_back(lower(c));
        in_run = false;
      }
    }
    return out;
  }
  if (ecosystem == model::Ecosystem::kNuGet || ecosystem == model::Ecosystem::kPackagist) {
    for (const char c : name) {
      out.push_back(lower(c));
    }
    return out;
  }
  return std::string(name);
}

}  // namespace

Timestamp now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& dir) {
  namespace fs = std::filesystem;
  if (dir.empty()) {
    return fail(Error::invalid_argument("store directory is empty"));
  }
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    return fail(Error::io("{}: cannot create store directory: {}", dir, error.message()));
  }
  const fs::path path = fs::path(dir) / kStoreFile;
  if (fs::is_directory(path, error)) {
    return fail(Error::io("{}: is a directory, not a store database", path.string()));
  }
  VIGIL_ASSIGN_OR_RETURN(auto database, internal::Database::open(path));
  int version = 0;
  {
    auto writer = database->writer();
    auto migrated = internal::migrate(writer->connection());
    if (!migrated) {
      return fail(migrated.error().with_context(
          fmt::format("{}: not a usable Vigil store", path.string())));
    }
    version = *migrated;
  }
  return std::unique_ptr<Store>(
      std::make_unique<internal::SqliteStore>(std::move(database), version));
}

}  // namespace vigil::store

namespace vigil::store::internal {

namespace {

std::int64_t as_int(bool value) { return value ? 1 : 0; }

Account read_account(const sql::Statement& row) {
  Account account;
  account.id = std::string(row.column_text(0));
  const auto role = row.column_int(1);
  account.role = role == 0   ? AccountRole::kStandalone
                 : role == 1 ? AccountRole::kManagement
                 : role == 2 ? AccountRole::kDelegatedAdmin
                             : AccountRole::kMember;
  account.enabled = {row.column_int(2) != 0, row.column_int(3) != 0, row.column_int(4) != 0,
                     row.column_int(5) != 0};
  account.relationship_status = std::string(row.column_text(6));
  account.created_at = row.column_int(7);
  account.updated_at = row.column_int(8);
  return account;
}

constexpr std::string_view kAccountColumns =
    "id, role, ec2, ecr, lambda, lambda_code, relationship_status, created_at, updated_at";

constexpr std::string_view kResourceColumns =
    "id, account_id, region, type, name, tags_json, details_json, state, scan_mode, "
    "inventory_hash, inventory_reported_at, last_scanned_at, created_at, updated_at";

Result<ResourceRecord> read_resource(const sql::Statement& row) {
  ResourceRecord resource;
  resource.id = std::string(row.column_text(0));
  resource.account_id = std::string(row.column_text(1));
  resource.region = std::string(row.column_text(2));
  resource.type = std::string(row.column_text(3));
  resource.name = std::string(row.column_text(4));
  VIGIL_ASSIGN_OR_RETURN(resource.tags, tags_from_json(row.column_text(5)));
  resource.details_json = std::string(row.column_text(6));
  resource.state = std::string(row.column_text(7));
  resource.scan_mode = std::string(row.column_text(8));
  resource.inventory_hash = std::string(row.column_text(9));
  resource.inventory_reported_at = row.column_int(10);
  resource.last_scanned_at = row.column_int(11);
  resource.created_at = row.column_int(12);
  resource.updated_at = row.column_int(13);
  return resource;
}

void bind_optional(sql::Statement& statement, int index, const std::optional<std::int64_t>& value) {
  if (value) {
    statement.bind(index, *value);
  } else {
    statement.bind_null(index);
  }
}

}  // namespace

Result<OrganizationConfig> SqliteStore::organization() {
  VIGIL_ASSIGN_OR_RETURN(auto conn, database_->reader());
  VIGIL_ASSIGN_OR_RETURN(auto query, conn->statement("SELECT json FROM organization WHERE id = 1"));
  VIGIL_ASSIGN_OR_RETURN(const bool found, query->step());
  if (!found) {
    return OrganizationConfig{};
  }
  return organization_from_json(query->column_text(0));
}

Result<void> SqliteStore::put_organization(const OrganizationConfig& config) {
  auto conn = database_->writer();
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(conn->connection()));
  VIGIL_ASSIGN_OR_RETURN(auto upsert,
                         conn->statement("INSERT OR REPLACE INTO organization (id, json) "
                                         "VALUES (1, ?)"));
  upsert->bind(1, organization_to_json(config));
  VIGIL_TRY(upsert->run());
  return transaction.commit();
}

Result<std::optional<Account>> SqliteStore::account(const std::string& id) {
  VIGIL_ASSIGN_OR_RETURN(auto conn, database_->reader());
  VIGIL_ASSIGN_OR_RETURN(auto query, conn->statement(fmt::format(
                                         "SELECT {} FROM accounts WHERE id = ?", kAccountColumns)));
  query->bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(const bool found, query->step());
  if (!found) {
    return std::optional<Account>();
  }
  return std::optional<Account>(read_account(*query));
}

Result<std::vector<Account>> SqliteStore::accounts() {
  VIGIL_ASSIGN_OR_RETURN(auto conn, database_->reader());
  VIGIL_ASSIGN_OR_RETURN(auto query, conn->statement(fmt::format(
                                         "SELECT {} FROM accounts ORDER BY id", kAccountColumns)));
  std::vector<Account> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool row, query->step());
    if (!row) {
      break;
    }
    out.push_back(read_account(*query));
  }
  return out;
}

Result<void> SqliteStore::put_account(const Account& account) {
  if (account.id.empty()) {
    return fail(Error::invalid_argument("account id is empty"));
  }
  auto conn = database_->writer();
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(conn->connection()));
  VIGIL_ASSIGN_OR_RETURN(auto upsert,
                         conn->statement(fmt::format("INSERT OR REPLACE INTO accounts ({}) VALUES "
                                                     "(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                                     kAccountColumns)));
  upsert->bind(1, account.id)
      .bind(2, static_cast<std::int64_t>(account.role))
      .bind(3, as_int(account.enabled.ec2))
      .bind(4, as_int(account.enabled.ecr))
      .bind(5, as_int(account.enabled.lambda))
      .bind(6, as_int(account.enabled.lambda_code))
      .bind(7, account.relationship_status)
      .bind(8, account.created_at)
      .bind(9, account.updated_at);
  VIGIL_TRY(upsert->run());
  return transaction.commit();
}

Result<std::optional<ResourceRecord>> SqliteStore::resource(const std::string& id) {
  VIGIL_ASSIGN_OR_RETURN(auto conn, database_->reader());
  VIGIL_ASSIGN_OR_RETURN(
      auto query,
      conn->statement(fmt::format("SELECT {} FROM resources WHERE id = ?", kResourceColumns)));
  query->bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(const bool found, query->step());
  if (!found) {
    return std::optional<ResourceRecord>();
  }
  VIGIL_ASSIGN_OR_RETURN(auto resource, read_resource(*query));
  return std::optional<ResourceRecord>(std::move(resource));
}

Result<std::vector<ResourceRecord>> SqliteStore::resources(
    const std::vector<std::string>& account_scope, const std::string& type) {
  std::string sql = fmt::format("SELECT {} FROM resources WHERE 1", kResourceColumns);
  std::vector<Value> values;
  if (!account_scope.empty()) {
    sql += " AND account_id IN (";
    for (std::size_t index = 0; index < account_scope.size(); ++index) {
      sql += index == 0 ? "?" : ", ?";
      values.emplace_back(account_scope[index]);
    }
    sql += ")";
  }
  if (!type.empty()) {
    sql += " AND type = ?";
    values.emplace_back(type);
  }
  sql += " ORDER BY id";
  VIGIL_ASSIGN_OR_RETURN(auto conn, database_->reader());
  VIGIL_ASSIGN_OR_RETURN(auto query, conn->statement(sql));
  bind_values(*query, values);
  std::vector<ResourceRecord> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool row, query->step());
    if (!row) {
      break;
    }
    VIGIL_ASSIGN_OR_RETURN(auto resource, read_resource(*query));
    out.push_back(std::move(resource));
  }
  return out;
}

Result<void> SqliteStore::put_resource(const ResourceRecord& resource) {
  if (resource.id.empty()) {
    return fail(Error::invalid_argument("resource id is empty"));
  }
  auto details = resource_detail_columns(resource.details_json);
  if (!details) {
    return fail(details.error().with_context(fmt::format("resource {}", resource.id)));
  }
  auto conn = database_->writer();
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(conn->connection()));
  VIGIL_ASSIGN_OR_RETURN(
      auto upsert,
      conn->statement(fmt::format("INSERT OR REPLACE INTO resources ({}, details, "
                                  "ecr_image_pulled_at, ecr_last_in_use_at, ecr_in_use_count) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                  kResourceColumns)));
  upsert->bind(1, resource.id)
      .bind(2, resource.account_id)
      .bind(3, resource.region)
      .bind(4, resource.type)
      .bind(5, resource.name)
      .bind(6, tags_to_json(resource.tags))
      .bind(7, resource.details_json)
      .bind(8, resource.state)
      .bind(9, resource.scan_mode)
      .bind(10, resource.inventory_hash)
      .bind(11, resource.inventory_reported_at)
      .bind(12, resource.last_scanned_at)
      .bind(13, resource.created_at)
      .bind(14, resource.updated_at)
      .bind(15, details->details);
  bind_optional(*upsert, 16, details->image_pulled_at);
  bind_optional(*upsert, 17, details->last_in_use_at);
  if (details->in_use_count) {
    upsert->bind(18, *details->in_use_count);
  } else {
    upsert->bind_null(18);
  }
  VIGIL_TRY(upsert->run());
  return transaction.commit();
}

Result<void> SqliteStore::put_inventory(const std::string& resource_id, const std::string& hash,
                                        const model::Inventory& inventory) {
  if (resource_id.empty()) {
    return fail(Error::invalid_argument("inventory resource id is empty"));
  }
  auto conn = database_->writer();
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(conn->connection()));
  {
    VIGIL_ASSIGN_OR_RETURN(auto current,
                           conn->statement("SELECT hash FROM inventories WHERE resource_id = ?"));
    current->bind(1, resource_id);
    VIGIL_ASSIGN_OR_RETURN(const bool found, current->step());
    if (found && !hash.empty() && current->column_text(0) == hash) {
      return {};  // identical content: nothing to do
    }
  }
  VIGIL_ASSIGN_OR_RETURN(auto remove,
                         conn->statement("DELETE FROM inventories WHERE resource_id = ?"));
  remove->bind(1, resource_id);
  VIGIL_TRY(remove->run());
  VIGIL_ASSIGN_OR_RETURN(auto insert, conn->statement("INSERT INTO inventories (resource_id, "
                                                      "hash, json) VALUES (?, ?, ?)"));
  insert->bind(1, resource_id).bind(2, hash).bind(3, inventory_to_json(inventory));
  VIGIL_TRY(insert->run());
  std::set<std::pair<std::string, std::string>> keys;
  for (const auto& package : inventory.packages) {
    const std::string ecosystem(model::ecosystem_name(package.ecosystem));
    keys.emplace(ecosystem, normalized_package_name(package.ecosystem, package.name));
    if (!package.source_name.empty()) {
      keys.emplace(ecosystem, normalized_package_name(package.ecosystem, package.source_name));
    }
  }
  VIGIL_ASSIGN_OR_RETURN(auto index, conn->statement("INSERT INTO inventory_packages "
                                                     "(resource_id, ecosystem, name) "
                                                     "VALUES (?, ?, ?)"));
  for (const auto& [ecosystem, name] : keys) {
    index->bind(1, resource_id).bind(2, ecosystem).bind(3, name);
    VIGIL_TRY(index->run());
  }
  VIGIL_ASSIGN_OR_RETURN(auto touch,
                         conn->statement("UPDATE resources SET inventory_hash = ? WHERE id = ?"));
  touch->bind(1, hash).bind(2, resource_id);
  VIGIL_TRY(touch->run());
  return transaction.commit();
}

Result<std::optional<model::Inventory>> SqliteStore::inventory(const std::string& resource_id) {
  return stored_inventory(resource_id, nullptr);
}

Result<std::optional<model::Inventory>> SqliteStore::inventory(const std::string& resource_id,
                                                               const PackageSelector& select) {
  return stored_inventory(resource_id, &select);
}

Result<std::optional<model::Inventory>> SqliteStore::stored_inventory(
    const std::string& resource_id, const PackageSelector* select) {
  VIGIL_ASSIGN_OR_RETURN(auto conn, database_->reader());
  VIGIL_ASSIGN_OR_RETURN(auto query,
                         conn->statement("SELECT json FROM inventories WHERE resource_id = ?"));
  query->bind(1, resource_id);
  VIGIL_ASSIGN_OR_RETURN(const bool found, query->step());
  if (!found) {
    return std::optional<model::Inventory>();
  }
  VIGIL_ASSIGN_OR_RETURN(auto inventory, inventory_from_json(query->column_text(0), select));
  return std::optional<model::Inventory>(std::move(inventory));
}

Result<std::vector<std::string>> SqliteStore::resources_with_packages(
    const std::vector<std::pair<std::string, std::string>>& keys) {
  VIGIL_ASSIGN_OR_RETURN(auto conn, database_->reader());
  VIGIL_ASSIGN_OR_RETURN(auto query, conn->statement("SELECT resource_id FROM inventory_packages "
                                                     "WHERE ecosystem = ? AND name = ?"));
  std::set<std::string> found;
  for (const auto& [ecosystem, name] : keys) {
    query->bind(1, ecosystem).bind(2, name);
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(const bool row, query->step());
      if (!row) {
        break;
      }
      found.emplace(query->column_text(0));
    }
    query->reset();
  }
  return std::vector<std::string>(found.begin(), found.end());
}

}  // namespace vigil::store::internal
