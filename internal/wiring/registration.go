package wiring

import (
	"context"
	"path/filepath"

	"taxiexam/exam/registration"
	"taxiexam/exam/registration/photofs"
	"taxiexam/exam/registration/registrationdb"
	"taxiexam/internal/archive/archivedb"
	"taxiexam/internal/auth/authdb"
)

// assembleRegistration wires exam/registration: SMS at each status change
// go through the notification outbox (a.outbox, built by assembleNotify
// first) in the same transaction as the change; the dossier lists the
// candidate's messages through a.notify; photos live under
// <data_dir>/uploads/photos, outside the web root.
func (a *App) assembleRegistration() error {
	cfg := a.cfg
	photos, err := photofs.New(filepath.Join(cfg.DataDir, "uploads", "photos"))
	if err != nil {
		return err
	}
	candidates := authdb.New(a.db, a.pii)
	phones := registration.PhonesFunc(func(ctx context.Context, id int64) (string, error) {
		c, err := candidates.CandidateByID(ctx, id)
		return c.Phone, err
	})
	maxPhoto := int(min(cfg.Server.UploadLimitBytes-4096, 2<<20))
	a.registration = registration.NewService(registrationdb.New(a.db, a.pii), a.outbox, phones, photos, a.audit, a.db, a.clock,
		registration.Config{PublicURL: cfg.Server.PublicURL, City: cfg.City, Location: cfg.Location, PhotoMaxBytes: maxPhoto, Images: a.images}).
		WithMessages(a.notify).
		WithFormVersions(archivedb.New(a.db, a.pii)) // every submitted form, for the archive
	return nil
}
