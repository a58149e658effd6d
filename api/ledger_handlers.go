package api

import (
	"fmt"
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/internal/ledger"
)

// LedgerEntry is one link of the results and certificates ledger.
type LedgerEntry struct {
	Seq      int64     `json:"seq"`
	PrevHash string    `json:"prev_hash"`
	Hash     string    `json:"hash"`
	Kind     string    `json:"kind" doc:"subject_result | cert.issued | cert.revoked | cert.replaced | cert.reissued | cert.handed_over | archive.anonymised | ledger.adopted"`
	Subject  string    `json:"subject" doc:"subject_result:ID | certificate:ID | cert_delivery:ID"`
	At       time.Time `json:"at"`
	Payload  string    `json:"payload" doc:"canonical JSON of what the entry asserts (personal data only as keyed digests)"`
}

// LedgerProblem is one thing the verification found wrong.
type LedgerProblem struct {
	Seq     int64             `json:"seq" doc:"the entry it concerns; 0 for a record no entry names"`
	Kind    string            `json:"kind"`
	Subject string            `json:"subject"`
	Code    string            `json:"code" doc:"hash_mismatch | prev_mismatch | seq_gap | head_mismatch | source_mismatch | source_missing | unrecorded | checkpoint_mismatch | pending_stale"`
	Detail  string            `json:"detail" doc:"English, as the command line prints it"`
	Why     string            `json:"why" doc:"names the detail's sentence for a translated screen: entries_missing, link_broken, content_changed, payload_unreadable, checkpoint_hash, checkpoint_entry_missing, checkpoint_beyond_end, end_removed, record_gone, record_changed, result_unrecorded, certificate_unrecorded, pending_stale"`
	Params  map[string]string `json:"params" doc:"the values the sentence names (seq numbers, times, short hashes)"`
	Changes []LedgerChange    `json:"changes" doc:"record_changed: each field that differs"`
}

// LedgerChange is one field of a record that no longer says what the ledger recorded.
type LedgerChange struct {
	Field    string `json:"field"`
	Recorded string `json:"recorded"`
	Now      string `json:"now"`
}

// LedgerReport is the outcome of walking the whole chain.
type LedgerReport struct {
	OK          bool            `json:"ok"`
	Entries     int64           `json:"entries"`
	HeadSeq     int64           `json:"head_seq"`
	HeadHash    string          `json:"head_hash"`
	Records     int64           `json:"records" doc:"results, certificates and parcels the chain speaks about"`
	Checkpoints int             `json:"checkpoints" doc:"signed checkpoints compared with the chain"`
	Pending     int64           `json:"pending" doc:"events recorded and not yet linked into the chain (normally linked within a second; compared with the records like entries)"`
	FirstBroken *LedgerProblem  `json:"first_broken" doc:"the lowest entry something is wrong with; null when ok"`
	Problems    []LedgerProblem `json:"problems" doc:"at most 50, lowest entry first"`
	Total       int             `json:"total_problems"`
	CheckedAt   time.Time       `json:"checked_at"`
	TookMS      int64           `json:"took_ms"`
}

// LedgerCheckpoint is a signed head of the chain: export it and keep it
// elsewhere; `examd verify-ledger -checkpoint FILE` compares it with the chain.
type LedgerCheckpoint struct {
	ID        int64     `json:"id,omitempty"`
	Format    string    `json:"format" doc:"taxiexam-ledger-checkpoint/1"`
	Seq       int64     `json:"seq"`
	Hash      string    `json:"hash"`
	At        time.Time `json:"at"`
	KeyID     string    `json:"key_id"`
	Signature string    `json:"signature" doc:"base64 signature over taxiexam-ledger-v1|checkpoint|seq|hash|at (RFC 3339, UTC) by the signing key key_id"`
}

// LedgerVerifyRequest optionally compares an exported checkpoint too.
type LedgerVerifyRequest struct {
	Checkpoint *LedgerCheckpoint `json:"checkpoint" doc:"an exported checkpoint to compare the chain with (optional)"`
}

// CheckpointFormat names the export format.
const CheckpointFormat = "taxiexam-ledger-checkpoint/1"

func (s *Server) ledgerEntryJSON(e ledger.Entry) LedgerEntry {
	return LedgerEntry{Seq: e.Seq, PrevHash: e.PrevHash, Hash: e.Hash, Kind: string(e.Kind), Subject: e.Subject, At: s.at(e.At), Payload: e.Payload}
}

// CheckpointJSON is a checkpoint in its export format.
func CheckpointJSON(c ledger.Checkpoint) LedgerCheckpoint {
	return LedgerCheckpoint{ID: c.ID, Format: CheckpointFormat, Seq: c.Seq, Hash: c.Hash, At: c.At.UTC(), KeyID: c.KeyID, Signature: c.Signature}
}

// Checkpoint is the export format read back.
func (c LedgerCheckpoint) Checkpoint() ledger.Checkpoint {
	return ledger.Checkpoint{Seq: c.Seq, Hash: c.Hash, At: c.At.UTC(), KeyID: c.KeyID, Signature: c.Signature}
}

func problemJSON(p ledger.Problem) LedgerProblem {
	params := p.Params
	if params == nil {
		params = map[string]string{}
	}
	changes := make([]LedgerChange, len(p.Changes))
	for i, c := range p.Changes {
		changes[i] = LedgerChange{Field: c.Field, Recorded: c.Recorded, Now: c.Now}
	}
	return LedgerProblem{Seq: p.Seq, Kind: string(p.Kind), Subject: p.Subject, Code: p.Code, Detail: p.Detail, Why: p.Why, Params: params, Changes: changes}
}

func (s *Server) verifyLedger(c *gin.Context, req LedgerVerifyRequest) (LedgerReport, error) {
	var external []ledger.Checkpoint
	if req.Checkpoint != nil {
		cp := req.Checkpoint.Checkpoint()
		if err := s.deps.Ledger.CheckSignature(cp); err != nil {
			return LedgerReport{}, ledger.ErrBadCheckpoint.WithField("checkpoint", rsnNotACheckpointExportedByThis)
		}
		external = append(external, cp)
	}
	rep, err := s.deps.Ledger.Verify(c.Request.Context(), external)
	if err != nil {
		return LedgerReport{}, err
	}
	out := LedgerReport{OK: rep.OK, Entries: rep.Entries, HeadSeq: rep.Head.Seq, HeadHash: rep.Head.Hash, Records: rep.Subjects,
		Checkpoints: rep.Checkpoints, Pending: rep.Pending, Problems: mapSlice(rep.Problems, problemJSON), Total: rep.Total, CheckedAt: s.at(rep.CheckedAt),
		TookMS: rep.Took.Milliseconds()}
	if rep.FirstBroken != nil {
		p := problemJSON(*rep.FirstBroken)
		out.FirstBroken = &p
	}
	return out, nil
}

func (s *Server) ledgerEntries(c *gin.Context, p pageReq) ([]LedgerEntry, int64, error) {
	list, total, err := s.deps.Ledger.Recent(c.Request.Context(), ledger.Page{Offset: p.offset(), Limit: p.size})
	return mapSlice(list, s.ledgerEntryJSON), total, err
}

func (s *Server) ledgerCheckpoints(c *gin.Context, p pageReq) ([]LedgerCheckpoint, int64, error) {
	list, total, err := s.deps.Ledger.Checkpoints(c.Request.Context(), ledger.Page{Offset: p.offset(), Limit: p.size})
	return mapSlice(list, CheckpointJSON), total, err
}

func (s *Server) createLedgerCheckpoint(c *gin.Context) (LedgerCheckpoint, error) {
	cp, err := s.deps.Ledger.CheckpointNow(c.Request.Context())
	return CheckpointJSON(cp), err
}

func (s *Server) exportLedgerCheckpoint(c *gin.Context, id int64) (LedgerCheckpoint, error) {
	cp, err := s.deps.Ledger.CheckpointByID(c.Request.Context(), id)
	if err == nil {
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="ledger-checkpoint-%d.json"`, cp.Seq))
	}
	return CheckpointJSON(cp), err
}
