package wiring

import (
	"context"
	"fmt"
)

// LoadSampleBank gives the embedded default (SQLite + in-process Redis) the
// shipped sample question bank and default formal blueprint on its first
// start, so practice and mock exams work out of the box. A bank that has
// any chapter or question is left alone; production (MySQL) never loads it.
func (a *App) LoadSampleBank(ctx context.Context) error {
	if !a.cfg.Embedded() {
		return nil
	}
	loaded, err := a.bank.LoadSample(ctx)
	if err != nil {
		return fmt.Errorf("sample question bank: %w", err)
	}
	if loaded {
		a.log.Info("sample question bank loaded (313 questions, default formal blueprint)")
	}
	return nil
}
