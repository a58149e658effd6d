// Package schema lists every migration of the product, in one place, so
// `examd migrate`, start-up and the tests all apply the same schema.
package schema

import (
	"taxiexam/cert/certdb"
	"taxiexam/exam/attempt/attemptdb"
	"taxiexam/exam/booking/bookingdb"
	"taxiexam/exam/practice/practicedb"
	"taxiexam/exam/proctoring/proctoringdb"
	"taxiexam/exam/registration/registrationdb"
	"taxiexam/exam/results/resultsdb"
	"taxiexam/internal/archive/archivedb"
	"taxiexam/internal/audit/auditdb"
	"taxiexam/internal/auth/authdb"
	"taxiexam/internal/ledger/ledgerdb"
	"taxiexam/internal/notify/notifydb"
	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/statistics/statisticsdb"
	"taxiexam/question-bank/bankdb"
)

// byStore is each store's migrations. The first of each creates its tables
// on an empty database; every later one meets tables that hold data, so it
// has an upgrade test (testenv.CheckUpgrade; TestEveryUpgradeIsTested).
func byStore() [][]sqldb.Migration {
	return [][]sqldb.Migration{
		authdb.Migrations(),
		auditdb.Migrations(),
		notifydb.Migrations(),       // 200-299 notification outbox
		bankdb.Migrations(),         // 300-399 question bank
		attemptdb.Migrations(),      // 400-449 mock/formal attempts
		practicedb.Migrations(),     // 450-499 practice
		registrationdb.Migrations(), // 500-599 registration and background check
		bookingdb.Migrations(),      // 650-699 exam centres, sessions, bookings
		certdb.Migrations(),         // 600-649 certificates and their delivery
		// ---- formal exam (700-799) ----
		resultsdb.Migrations(),    // 700-719 subject results, qualifications
		proctoringdb.Migrations(), // 720-759 terminals, sittings, session runs, incidents
		// ---- statistics (800-849; 800 registration scans, 801 practice answer counters) ----
		statisticsdb.Migrations(), // 802- indexes of the statistics' range queries
		// ---- archives and integrity (850-899) ----
		archivedb.Migrations(), // 850-859 submitted form versions, bulk exports
		ledgerdb.Migrations(),  // 860-869 hash-chained ledger, checkpoints
	}
}

// All returns every migration (sqldb.Migrate sorts them by ID).
func All() []sqldb.Migration {
	var all []sqldb.Migration
	for _, m := range byStore() {
		all = append(all, m...)
	}
	return all
}
