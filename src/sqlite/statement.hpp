#pragma once
// The jobs that run on a connection's thread: one statement, a statement per parameter list, a script,
// and the transaction rules of Python's sqlite3 (an implicit BEGIN before DML).

#include <string>
#include <vector>

#include "aio/sqlite/connection.hpp"
#include "aio/sqlite/cursor.hpp"
#include "core.hpp"

namespace aio::sqlite::detail {

/// Prepares `sql` (exactly one statement), binds `p`, runs it to its end and collects its rows.
statement_result run_execute(core& c, const std::string& sql, const params& p);
/// Prepares `sql` once and runs it for every element of `rows`; stops at the first failure.
statement_result run_executemany(core& c, const std::string& sql, const std::vector<params>& rows);
/// Commits an open transaction, then runs the statements of `script` (sqlite3_exec).
void run_script(core& c, const std::string& script);
/// Runs COMMIT or ROLLBACK (`what`) if a transaction is open.
void end_transaction(core& c, const char* what);

}  // namespace aio::sqlite::detail
