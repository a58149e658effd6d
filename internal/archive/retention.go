package archive

import (
	"context"
	"fmt"

	"taxiexam/internal/platform/apperr"
)

// The retention rule (archive.retention in the configuration) says what is
// deleted or anonymised how many years after it happened. This package
// reports what the rule would remove today (the dry run); see
// docs/archives.md for what each rule covers.

// Retention subjects.
const (
	RetainMessages     = "messages"               // SMS and postal payloads (phone, text, address): deleted, the row stays as a count
	RetainPractice     = "practice"               // practice answers and mock attempts: deleted
	RetainUnqualified  = "unqualified_applicants" // applications that never led to a certificate: name, ID number, phone, address anonymised, photo deleted
	RetainCertHolders  = "certificate_holders"    // holders whose certificates all expired: anonymised (the ledger keeps digests)
	RetainAuditLog     = "audit_log"              // staff actions: deleted
	RetentionDelete    = "delete"
	RetentionAnonymise = "anonymise"
)

// RetentionSubjects lists what a rule may name, with the action it implies.
var RetentionSubjects = map[string]string{
	RetainMessages: RetentionDelete, RetainPractice: RetentionDelete, RetainUnqualified: RetentionAnonymise,
	RetainCertHolders: RetentionAnonymise, RetainAuditLog: RetentionDelete,
}

// ValidRules checks a configured rule (named by setting for the error).
func ValidRules(rules []RetentionRule) error {
	seen := map[string]bool{}
	for i, r := range rules {
		act, ok := RetentionSubjects[r.What]
		switch {
		case !ok:
			return fmt.Errorf("rule %d: unknown subject %q", i+1, r.What)
		case r.Action != act:
			return fmt.Errorf("rule %d (%s): the action is %s", i+1, r.What, act)
		case r.Years < 1 || r.Years > 100:
			return fmt.Errorf("rule %d (%s): years must be 1 to 100", i+1, r.What)
		case seen[r.What]:
			return fmt.Errorf("rule %d: %s named twice", i+1, r.What)
		}
		seen[r.What] = true
	}
	return nil
}

// RetentionCounter counts what one rule would remove (archivedb; it reads
// the other domains' tables, counting only).
type RetentionCounter interface {
	Count(ctx context.Context, rule RetentionRule, line *RetentionLine) error
}

var describe = map[string]string{
	RetainMessages:    "SMS and postal order payloads (phone number, text, address) are deleted; the message rows stay for the statistics",
	RetainPractice:    "practice answers and mock exam attempts are deleted",
	RetainUnqualified: "applications that never led to a certificate: name, ID number, phone and address are anonymised and the photo deleted",
	RetainCertHolders: "holders whose certificates have all expired: personal data anonymised (the ledger keeps its keyed digests)",
	RetainAuditLog:    "audit log entries are deleted",
}

// RetentionDryRun reports, rule by rule, what the retention rule would
// delete or anonymise if it ran now. Nothing is changed.
func (s *Service) RetentionDryRun(ctx context.Context) (RetentionReport, error) {
	if v, err := viewerOf(ctx); err != nil || !v.bureau() {
		return RetentionReport{}, apperr.ErrForbidden
	}
	return s.retentionReport(ctx)
}

// retentionReport is the dry run without the caller check (the command).
func (s *Service) retentionReport(ctx context.Context) (RetentionReport, error) {
	now := s.d.Clock.Now()
	rep := RetentionReport{At: s.at(now)}
	for _, r := range s.cfg.Retention {
		line := RetentionLine{Rule: r, Cutoff: s.at(now.AddDate(-r.Years, 0, 0)), Describes: describe[r.What]}
		if err := s.d.Retention.Count(ctx, r, &line); err != nil {
			return RetentionReport{}, err
		}
		if !line.Oldest.IsZero() {
			line.Oldest = s.at(line.Oldest)
		}
		rep.Lines = append(rep.Lines, line)
	}
	return rep, nil
}

// RetentionReportForCommand is the dry run for `examd retention` (no caller).
func (s *Service) RetentionReportForCommand(ctx context.Context) (RetentionReport, error) {
	return s.retentionReport(ctx)
}
