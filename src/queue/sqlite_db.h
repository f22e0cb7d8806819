// RAII around SQLite's C handles (connection, prepared statement, transaction), with
// errors as values. Used only inside the queue module.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/error.h"

namespace sluice::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// An io error "sqlite: <context>: <message>" from the connection's last failure.
Error db_error(sqlite3* db, std::string_view context);

// A prepared statement, prepared once and reused. Each use binds, steps and is reset by
// a StmtUse guard, so no statement keeps a read transaction open between calls.
class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, StmtPtr stmt) : db_(db), stmt_(std::move(stmt)) {}

  // 1-based parameters, as in SQLite. Text is copied. A failed bind is reported by the
  // next step().
  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, std::string_view v);
  Stmt& bind_null(int i);

  // true: a row is ready to read; false: the statement is done.
  Result<bool> step();
  // Steps to the end, for statements whose rows are not wanted.
  Status run();

  int64_t int64(int col) const { return sqlite3_column_int64(stmt_.get(), col); }
  std::string text(int col) const;
  bool is_null(int col) const { return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL; }

  // Ends a use: releases locks and clears the bindings.
  void reset();
  const char* sql() const { return sqlite3_sql(stmt_.get()); }

 private:
  sqlite3* db_ = nullptr;
  StmtPtr stmt_;
  int bind_rc_ = SQLITE_OK;
};

// Resets a statement when a use of it ends, early returns included.
class StmtUse {
 public:
  explicit StmtUse(Stmt& stmt) : stmt_(stmt) {}
  ~StmtUse() { stmt_.reset(); }
  StmtUse(const StmtUse&) = delete;
  StmtUse& operator=(const StmtUse&) = delete;
  Stmt* operator->() { return &stmt_; }
  Stmt& operator*() { return stmt_; }

 private:
  Stmt& stmt_;
};

// One connection.
class Db {
 public:
  static Result<Db> open(const std::string& path);

  // Runs SQL text without results (DDL, pragmas, BEGIN/COMMIT).
  Status exec(const char* sql);
  // Prepares a statement kept for the connection's lifetime.
  Result<Stmt> prepare(std::string_view sql);
  // The first column of the first row as text ("" when no row), e.g. for a pragma.
  Result<std::string> query_text(const std::string& sql);
  int64_t changes() const { return sqlite3_changes64(db_.get()); }
  sqlite3* get() const { return db_.get(); }

 private:
  explicit Db(DbPtr db) : db_(std::move(db)) {}
  DbPtr db_;
};

// A transaction that rolls back unless committed.
class Txn {
 public:
  explicit Txn(Db& db) : db_(db) {}
  ~Txn();
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  // BEGIN IMMEDIATE takes the write lock at once (no deadlock upgrading a reader).
  Status begin_write() { return begin("BEGIN IMMEDIATE"); }
  // A consistent snapshot for several reads.
  Status begin_read() { return begin("BEGIN"); }
  Status commit();

 private:
  Status begin(const char* sql);
  Db& db_;
  bool open_ = false;
};

}  // namespace sluice::sqlite
