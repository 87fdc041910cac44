// Internal: buffers rows for one table and writes them with multi-row INSERT statements
// (`INSERT ... VALUES (?,?),(?,?),...`), so the import pays SQLite's per-statement cost once per
// kRowsPerStatement rows instead of once per row. Bound text is not copied: every view added
// must stay valid until flush().
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vulndb/internal/fast_statement.hpp"

namespace vigil::vulndb::internal {

class BatchInsert {
 public:
  static constexpr size_t kRowsPerStatement = 64;

  // `head` is "INSERT OR ROLLBACK INTO t(a, b)"; every row has `columns` values.
  BatchInsert(std::string head, int columns) : head_(std::move(head)), columns_(columns) {}

  struct Value {
    enum class Kind { kText, kInt, kDouble, kNull } kind = Kind::kNull;
    std::string_view text;
    int64_t integer = 0;
    double real = 0;
  };
  static Value text(std::string_view value) { return {Value::Kind::kText, value, 0, 0}; }
  static Value integer(int64_t value) { return {Value::Kind::kInt, {}, value, 0}; }
  static Value real(std::optional<double> value) {
    return value ? Value{Value::Kind::kDouble, {}, 0, *value} : Value{};
  }

  // Appends one row (exactly `columns` values); writes a full statement's worth when due.
  template <typename... Values>
  Result<void> add(sql::Connection& db, Values... values) {
    static_assert(sizeof...(Values) > 0);
    (values_.push_back(values), ...);
    if (values_.size() >= kRowsPerStatement * static_cast<size_t>(columns_)) {
      return flush(db);
    }
    return {};
  }

  // Writes every buffered row, in the order added.
  Result<void> flush(sql::Connection& db) {
    const auto columns = static_cast<size_t>(columns_);
    size_t done = 0;
    while (done < values_.size()) {
      const size_t rows = statement_rows((values_.size() - done) / columns);
      VIGIL_ASSIGN_OR_RETURN(FastStatement * stmt, statement(db, rows));
      for (size_t idx = 0; idx < rows * columns; ++idx) {
        const Value& value = values_[done + idx];
        const int index = static_cast<int>(idx) + 1;
        switch (value.kind) {
          case Value::Kind::kText:
            stmt->bind(index, value.text);
            break;
          case Value::Kind::kInt:
            stmt->bind(index, value.integer);
            break;
          case Value::Kind::kDouble:
            stmt->bind(index, value.real);
            break;
          case Value::Kind::kNull:
            stmt->bind_null(index);
            break;
        }
      }
      VIGIL_TRY(stmt->run());
      done += rows * columns;
    }
    values_.clear();
    return {};
  }

  // Rows the next statement writes when `pending` are left: a full statement's worth, else the
  // largest power of two not above `pending`. Sessions flush after every batch, so remainders of
  // every size come up; preparing a statement for each size (a 64-row statement of 8 columns
  // parses 512 parameters) cost more than the inserts of the rows they wrote. Powers of two
  // need at most 7 statements per table; the rows go in the same order either way.
  static size_t statement_rows(size_t pending) {
    if (pending >= kRowsPerStatement) {
      return kRowsPerStatement;
    }
    return std::bit_floor(pending);
  }

  bool empty() const { return values_.empty(); }
  // Finalises the prepared statements (before COMMIT).
  void release() { statements_.clear(); }

 private:
  Result<FastStatement*> statement(sql::Connection& db, size_t rows) {
    if (const auto it = statements_.find(rows); it != statements_.end()) {
      return &it->second;
    }
    std::string row = "(";
    for (int column = 0; column < columns_; ++column) {
      row += column == 0 ? "?" : ",?";
    }
    row += ')';
    std::string sql = head_ + " VALUES ";
    for (size_t idx = 0; idx < rows; ++idx) {
      sql += idx == 0 ? row : "," + row;
    }
    VIGIL_ASSIGN_OR_RETURN(auto stmt, FastStatement::prepare(db, sql));
    return &statements_.emplace(rows, std::move(stmt)).first->second;
  }

  std::string head_;
  int columns_;
  std::vector<Value> values_;
  std::map<size_t, FastStatement> statements_;
};

}  // namespace vigil::vulndb::internal
