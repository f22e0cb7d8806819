#include "queue/sqlite_db.h"

namespace sluice::sqlite {

Error db_error(sqlite3* db, std::string_view context) {
  std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
  return make_error(Reason::io, "sqlite: " + std::string(context) + ": " + msg);
}

Stmt& Stmt::bind(int i, int64_t v) {
  int rc = sqlite3_bind_int64(stmt_.get(), i, v);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Stmt& Stmt::bind(int i, std::string_view v) {
  int rc = sqlite3_bind_text64(stmt_.get(), i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Stmt& Stmt::bind_null(int i) {
  int rc = sqlite3_bind_null(stmt_.get(), i);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Result<bool> Stmt::step() {
  if (bind_rc_ != SQLITE_OK) {
    return make_error(Reason::internal, std::string("sqlite: bind failed (") +
                                            sqlite3_errstr(bind_rc_) + ") in: " + sql());
  }
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_error(db_, sql());
}

Status Stmt::run() {
  for (;;) {
    auto row = step();
    if (!row.ok()) return row.error();
    if (!*row) return Status();
  }
}

std::string Stmt::text(int col) const {
  const auto* p = sqlite3_column_text(stmt_.get(), col);
  if (!p) return std::string();
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), col)));
}

void Stmt::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
  bind_rc_ = SQLITE_OK;
}

Result<Db> Db::open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  DbPtr db(raw);  // owns the handle even when open failed
  if (rc != SQLITE_OK) return db_error(raw, "open " + path);
  sqlite3_extended_result_codes(raw, 1);
  return Db(std::move(db));
}

Status Db::exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, &err);
  std::unique_ptr<char, decltype(&sqlite3_free)> owned(err, &sqlite3_free);
  if (rc == SQLITE_OK) return Status();
  return make_error(Reason::io,
                    std::string("sqlite: ") + sql + ": " + (err ? err : sqlite3_errstr(rc)));
}

Result<Stmt> Db::prepare(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return db_error(db_.get(), "prepare " + std::string(sql));
  return Stmt(db_.get(), std::move(stmt));
}

Result<std::string> Db::query_text(const std::string& sql) {
  auto stmt = prepare(sql);
  if (!stmt.ok()) return stmt.error();
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  return *row ? stmt->text(0) : std::string();
}

Txn::~Txn() {
  if (open_) (void)db_.exec("ROLLBACK");
}

Status Txn::begin(const char* sql) {
  Status s = db_.exec(sql);
  open_ = s.ok();
  return s;
}

Status Txn::commit() {
  Status s = db_.exec("COMMIT");
  if (s.ok()) open_ = false;
  return s;
}

}  // namespace sluice::sqlite
