package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"taxiexam/api"
	"taxiexam/internal/ledger"
	"taxiexam/internal/wiring"
)

// errLedgerBroken makes `examd verify-ledger` exit 1.
var errLedgerBroken = errors.New("ledger verification failed")

// verifyLedger is `examd verify-ledger [-checkpoint FILE] [-adopt]`: walk
// the chain, compare it with the rows and with an exported checkpoint, and
// print the first broken entry. -adopt first takes rows no entry recorded
// into the chain (data loaded before the ledger existed), as an operator's
// declared act.
func verifyLedger(ctx context.Context, a *wiring.App, checkpointFile string, adopt bool, out io.Writer) error {
	var external []ledger.Checkpoint
	if checkpointFile != "" {
		b, err := os.ReadFile(checkpointFile)
		if err != nil {
			return err
		}
		var doc api.LedgerCheckpoint
		if err := json.Unmarshal(b, &doc); err != nil || doc.Format != api.CheckpointFormat {
			return fmt.Errorf("%s: %w", checkpointFile, ledger.ErrBadCheckpoint)
		}
		c := doc.Checkpoint()
		if err := a.Ledger().CheckSignature(c); err != nil {
			return fmt.Errorf("%s: %w", checkpointFile, err)
		}
		external = append(external, c)
	}
	if adopt {
		n, err := a.Ledger().Adopt(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "adopted %d records that no entry recorded\n", n)
	}
	rep, err := a.Ledger().Verify(ctx, external)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "ledger: %d entries, %d pending, %d records, head %d %s, %d checkpoints compared, %s\n",
		rep.Entries, rep.Pending, rep.Subjects, rep.Head.Seq, rep.Head.Hash, rep.Checkpoints, rep.Took.Round(time.Millisecond))
	if rep.OK {
		fmt.Fprintln(out, "OK: every entry links to the one before it and every record agrees with the ledger")
		return nil
	}
	p := rep.FirstBroken
	fmt.Fprintf(out, "BROKEN: %d problem(s); the first at entry %d (%s %s): %s\n  %s\n", rep.Total, p.Seq, p.Kind, p.Subject, p.Code, p.Detail)
	for _, q := range rep.Problems[1:] {
		fmt.Fprintf(out, "  also entry %d (%s): %s: %s\n", q.Seq, q.Subject, q.Code, q.Detail)
	}
	return errLedgerBroken
}
