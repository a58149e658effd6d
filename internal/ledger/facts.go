package ledger

import (
	"strconv"
	"strings"
	"time"

	"taxiexam/cert"
	"taxiexam/exam/results"
)

// What each entry asserts. The builders are used twice: when the event is
// appended, and when Verify recomputes the facts from the row as it is now.
// Personal data never enters the ledger in clear text: the holder is a
// keyed digest (the blind index), so the chain can be kept and exported
// for years while the retention rule removes names (it appends the new
// digest as an archive.anonymised entry).

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func btoa(b bool) string { return strconv.FormatBool(b) }

// millis is a time as stored (the databases keep milliseconds).
func millis(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// ResultSubject names a subject result in the chain.
func ResultSubject(id int64) string { return subjectResultPrefix + itoa(id) }

// CertificateSubject names a certificate (one version) in the chain.
func CertificateSubject(id int64) string { return certificatePrefix + itoa(id) }

// DeliverySubject names a parcel in the chain.
func DeliverySubject(id int64) string { return deliveryPrefix + itoa(id) }

// subjectID splits "certificate:7" into its prefix and id.
func subjectID(subject string) (prefix string, id int64, ok bool) {
	i := strings.IndexByte(subject, ':')
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.ParseInt(subject[i+1:], 10, 64)
	return subject[:i+1], n, err == nil && n > 0
}

func resultFacts(r results.SubjectResult) Facts {
	return Facts{
		"candidate_id": itoa(r.CandidateID), "application_id": itoa(r.ApplicationID), "attempt_id": itoa(r.AttemptID),
		"session_id": itoa(r.SessionID), "centre_id": itoa(r.CentreID), "subject": string(r.Subject),
		"score": strconv.Itoa(r.Score), "total_points": strconv.Itoa(r.TotalPoints), "pass_percent": strconv.Itoa(r.PassPercent),
		"passed": btoa(r.Passed), "sat_at": millis(r.SatAt), "valid_until": millis(r.ValidUntil),
	}
}

func (s *Service) holderDigest(name, idNumber string) string {
	return s.index.BlindIndex("ledger_holder", name+"|"+strings.ToUpper(idNumber))
}

// certificateFacts is everything a certificate version is, as the row holds it.
func (s *Service) certificateFacts(c cert.Certificate) Facts {
	return Facts{
		"candidate_id": itoa(c.CandidateID), "application_id": itoa(c.ApplicationID), "kind": string(c.Kind),
		"version": strconv.Itoa(c.Version), "licence_id": c.LicenceID, "holder": s.holderDigest(c.HolderName, c.IDNumber),
		"authority": c.Authority, "issued_on": day(c.IssuedOn), "expires_on": day(c.ExpiresOn),
		"status": string(c.Status), "replaced_by": itoa(c.ReplacedBy),
	}
}

// certificateEventFacts is what one event changes: an issue asserts the
// whole certificate, a revocation or supersession only the status (and the
// successor).
func (s *Service) certificateEventFacts(kind Kind, c cert.Certificate) Facts {
	switch kind {
	case KindCertIssued:
		f := s.certificateFacts(c)
		f["status"], f["replaced_by"] = string(cert.StatusValid), "0"
		return f
	case KindCertRevoked:
		return Facts{"status": string(cert.StatusRevoked)}
	default: // replaced, reissued
		return Facts{"status": string(cert.StatusReplaced), "replaced_by": itoa(c.ReplacedBy)}
	}
}

func (s *Service) deliveryFacts(d cert.Delivery) Facts {
	collector := ""
	if d.CollectedBy != "" {
		collector = s.holderDigest(d.CollectedBy, "")
	}
	return Facts{
		"application_id": itoa(d.ApplicationID), "candidate_id": itoa(d.CandidateID), "status": string(d.Status),
		"handed_over_by": itoa(d.HandedOverBy), "collected_by": collector, "proxy": btoa(d.Proxy),
	}
}

// certKind is the ledger kind of a certificate history action.
func certKind(action string) Kind {
	switch action {
	case cert.ActionRevoked:
		return KindCertRevoked
	case cert.ActionReplaced:
		return KindCertReplaced
	case cert.ActionReissued:
		return KindCertReissued
	default:
		return KindCertIssued
	}
}
