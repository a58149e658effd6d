package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"taxiexam/internal/wiring"
)

// retentionCommand is `examd retention`: the retention rule's dry run,
// rule by rule (nothing is changed).
func retentionCommand(ctx context.Context, a *wiring.App, out io.Writer) error {
	rep, err := a.Archive().RetentionReportForCommand(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "retention dry run at %s (nothing is changed)\n", rep.At.Format(time.RFC3339))
	for _, l := range rep.Lines {
		oldest := "-"
		if !l.Oldest.IsZero() {
			oldest = l.Oldest.Format(time.DateOnly)
		}
		fmt.Fprintf(out, "  %-24s %-9s after %2d years (before %s): %d records, %d candidates, oldest %s\n      %s\n",
			l.Rule.What, l.Rule.Action, l.Rule.Years, l.Cutoff.Format(time.DateOnly), l.Records, l.Subjects, oldest, l.Describes)
	}
	return nil
}
