package registration

import (
	"context"
	"crypto/rand"
	"strconv"
	"strings"
	"time"

	"taxiexam/internal/audit"
	"taxiexam/internal/notify"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/reqctx"
)

// ---------------------------------------------------------------- channels

// NewChannel is what the bureau gives to create a channel.
type NewChannel struct {
	Code string // optional: 3-32 of a-z, 0-9, '-'; generated when empty
	Name string
	Kind string // online (default) | window
}

// ChannelChange edits a channel; nil fields stay.
type ChannelChange struct {
	Version  int
	Name     *string
	Kind     *string
	Disabled *bool
}

func validChannelCode(c string) bool {
	if len(c) < 3 || len(c) > 32 {
		return false
	}
	for _, r := range c {
		if !(r >= 'a' && r <= 'z') && !(r >= '0' && r <= '9') && r != '-' {
			return false
		}
	}
	return true
}

const codeAlphabet = "abcdefghjkmnpqrstuvwxyz23456789" // no 0/o, 1/l/i

func randomCode() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

// CreateChannel adds a registration channel.
func (s *Service) CreateChannel(ctx context.Context, n NewChannel) (Channel, error) {
	if _, err := reqctx.Staff(ctx); err != nil {
		return Channel{}, err
	}
	n.Code, n.Name = strings.ToLower(strings.TrimSpace(n.Code)), strings.TrimSpace(n.Name)
	v := apperr.Fields{}
	v.Check(n.Code == "" || validChannelCode(n.Code), "code", rsn3To32CharactersAZ)
	v.Check(runes(n.Name) >= 2 && runes(n.Name) <= 60, "name", apperr.CharsBetween(2, 60))
	if n.Kind == "" {
		n.Kind = ChannelOnline
	}
	v.Check(ValidChannelKind(n.Kind), "kind", apperr.OneOf("online", "window"))
	if err := v.Err(); err != nil {
		return Channel{}, err
	}
	generated := n.Code == ""
	for attempt := 0; ; attempt++ {
		if generated {
			n.Code = randomCode()
		}
		c := Channel{Code: n.Code, Name: n.Name, Kind: n.Kind, Version: 1}
		err := s.tx.InTx(ctx, func(ctx context.Context) error {
			if err := s.store.CreateChannel(ctx, &c); err != nil {
				return err
			}
			return s.audit.Record(ctx, audit.Entry{Action: "channel.create", TargetType: "channel", TargetID: strconv.FormatInt(c.ID, 10), After: c})
		})
		if ErrChannelCodeTaken.Is(err) && generated && attempt < 5 {
			continue
		}
		return c, err
	}
}

// UpdateChannel renames or disables/enables a channel.
func (s *Service) UpdateChannel(ctx context.Context, id int64, ch ChannelChange) (Channel, error) {
	if _, err := reqctx.Staff(ctx); err != nil {
		return Channel{}, err
	}
	if ch.Name != nil {
		n := strings.TrimSpace(*ch.Name)
		ch.Name = &n
		if runes(n) < 2 || runes(n) > 60 {
			return Channel{}, apperr.Invalid(apperr.Fields{"name": apperr.CharsBetween(2, 60)})
		}
	}
	if ch.Kind != nil && !ValidChannelKind(*ch.Kind) {
		return Channel{}, apperr.Invalid(apperr.Fields{"kind": apperr.OneOf("online", "window")})
	}
	var out Channel
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		var before Channel
		c, err := s.store.UpdateChannel(ctx, id, func(c *Channel) error {
			if c.Version != ch.Version {
				return apperr.ErrVersionConflict
			}
			before = *c
			if ch.Name != nil {
				c.Name = *ch.Name
			}
			if ch.Kind != nil {
				c.Kind = *ch.Kind
			}
			if ch.Disabled != nil {
				c.Disabled = *ch.Disabled
			}
			c.Version++
			return nil
		})
		if err != nil {
			return err
		}
		out = c
		return s.audit.Record(ctx, audit.Entry{Action: "channel.update", TargetType: "channel", TargetID: strconv.FormatInt(id, 10), Before: before, After: c})
	})
	return out, err
}

// Channels lists every channel with its number of applications.
func (s *Service) Channels(ctx context.Context) ([]ChannelCount, error) {
	if _, err := reqctx.Staff(ctx); err != nil {
		return nil, err
	}
	return s.store.ListChannels(ctx)
}

// Channel returns one channel.
func (s *Service) Channel(ctx context.Context, id int64) (Channel, error) {
	if _, err := reqctx.Staff(ctx); err != nil {
		return Channel{}, err
	}
	return s.store.ChannelByID(ctx, id)
}

// RegistrationURL is what a channel's QR code encodes.
func (s *Service) RegistrationURL(c Channel) string {
	return s.cfg.PublicURL + RegisterPath + c.Code
}

// City is the bureau's city (posters).
func (s *Service) City() string { return s.cfg.City }

// ---------------------------------------------------------------- statistics and search

// Stats counts applications per channel and status, created in [from, to)
// (zero times = unbounded).
func (s *Service) Stats(ctx context.Context, from, to time.Time) ([]ChannelStat, error) {
	if _, err := reqctx.Staff(ctx); err != nil {
		return nil, err
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		return nil, apperr.Invalid(apperr.Fields{"to": apperr.AfterFrom()})
	}
	return s.store.Stats(ctx, from, to)
}

// Search lists applications for the bureau (the caller masks personal data).
func (s *Service) Search(ctx context.Context, f Filter) ([]Application, int64, error) {
	if _, err := reqctx.Staff(ctx); err != nil {
		return nil, 0, err
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, 0, apperr.Invalid(apperr.Fields{"status": apperr.UnknownStatus()})
	}
	return s.store.SearchApplications(ctx, f, false)
}

// Dossier is everything about one application for the archive.
type Dossier struct {
	Application Application
	Events      []Event
	Phone       string
	Channel     *Channel
	Office      *Office
	Messages    []notify.View // newest first; nil when the queue is not wired
}

// Dossier returns the whole application with its history and the SMS
// queued for it. The view shows the full ID number and is audited.
func (s *Service) Dossier(ctx context.Context, id int64) (Dossier, error) {
	if _, err := reqctx.Staff(ctx); err != nil {
		return Dossier{}, err
	}
	var d Dossier
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		a, err := s.store.ApplicationByID(ctx, id)
		if err != nil {
			return err
		}
		d.Application = a
		if d.Events, err = s.store.Events(ctx, id); err != nil {
			return err
		}
		if d.Phone, err = s.phones.CandidatePhone(ctx, a.CandidateID); err != nil {
			return err
		}
		if a.ChannelID != 0 {
			c, err := s.store.ChannelByID(ctx, a.ChannelID)
			if err != nil {
				return err
			}
			d.Channel = &c
		}
		if a.Form.Delivery == DeliveryPickup && a.Form.OfficeID != 0 {
			if o, err := s.store.OfficeByID(ctx, a.Form.OfficeID); err == nil {
				d.Office = &o
			}
		}
		return s.audit.Record(ctx, audit.Entry{Action: "application.view_id_number", TargetType: "application", TargetID: strconv.FormatInt(id, 10),
			After: map[string]any{"screen": "dossier"}})
	})
	if err != nil || s.msgs == nil {
		return d, err
	}
	d.Messages, _, err = s.msgs.List(ctx, notify.Filter{CandidateID: d.Application.CandidateID, Limit: 100})
	return d, err
}

// ---------------------------------------------------------------- platforms (供需对接)

// PlatformInput creates or edits a platform (Version only for edits).
type PlatformInput struct {
	Version       int
	Name          string
	LicenceNo     string
	Contact       string
	DriversWanted int
	UpdatedOn     string // civil date; empty = today
	Disabled      bool
}

func (s *Service) checkPlatform(in *PlatformInput) error {
	in.Name, in.LicenceNo, in.Contact, in.UpdatedOn = strings.TrimSpace(in.Name), strings.TrimSpace(in.LicenceNo), strings.TrimSpace(in.Contact), strings.TrimSpace(in.UpdatedOn)
	if in.UpdatedOn == "" {
		in.UpdatedOn = s.today().Format(time.DateOnly)
	}
	v := apperr.Fields{}
	v.Check(runes(in.Name) >= 2 && runes(in.Name) <= 60, "name", apperr.CharsBetween(2, 60))
	v.Check(runes(in.LicenceNo) >= 3 && runes(in.LicenceNo) <= 60, "licence_no", rsn3To60Characters)
	v.Check(runes(in.Contact) >= 3 && runes(in.Contact) <= 100, "contact", apperr.CharsBetween(3, 100))
	v.Check(in.DriversWanted >= 0 && in.DriversWanted <= 100000, "drivers_wanted", apperr.Between(0, 100000))
	d, ok := ParseDate(in.UpdatedOn)
	v.Check(ok && !d.After(s.today()), "updated_on", rsnADateLike20261123)
	return v.Err()
}

// Platforms lists platforms; the public sees only the enabled ones.
func (s *Service) Platforms(ctx context.Context, includeDisabled bool) ([]Platform, error) {
	return s.store.ListPlatforms(ctx, includeDisabled)
}

// CreatePlatform adds a platform.
func (s *Service) CreatePlatform(ctx context.Context, in PlatformInput) (Platform, error) {
	if _, err := reqctx.Staff(ctx); err != nil {
		return Platform{}, err
	}
	if err := s.checkPlatform(&in); err != nil {
		return Platform{}, err
	}
	p := Platform{Name: in.Name, LicenceNo: in.LicenceNo, Contact: in.Contact, DriversWanted: in.DriversWanted, UpdatedOn: in.UpdatedOn, Disabled: in.Disabled, Version: 1}
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreatePlatform(ctx, &p); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "platform.create", TargetType: "platform", TargetID: strconv.FormatInt(p.ID, 10), After: p})
	})
	return p, err
}

// UpdatePlatform edits a platform.
func (s *Service) UpdatePlatform(ctx context.Context, id int64, in PlatformInput) (Platform, error) {
	if _, err := reqctx.Staff(ctx); err != nil {
		return Platform{}, err
	}
	if err := s.checkPlatform(&in); err != nil {
		return Platform{}, err
	}
	var out Platform
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		var before Platform
		p, err := s.store.UpdatePlatform(ctx, id, func(p *Platform) error {
			if p.Version != in.Version {
				return apperr.ErrVersionConflict
			}
			before = *p
			p.Name, p.LicenceNo, p.Contact, p.DriversWanted, p.UpdatedOn, p.Disabled = in.Name, in.LicenceNo, in.Contact, in.DriversWanted, in.UpdatedOn, in.Disabled
			p.Version++
			return nil
		})
		if err != nil {
			return err
		}
		out = p
		return s.audit.Record(ctx, audit.Entry{Action: "platform.update", TargetType: "platform", TargetID: strconv.FormatInt(id, 10), Before: before, After: p})
	})
	return out, err
}

// ---------------------------------------------------------------- issuing windows

// OfficeInput creates or edits an issuing window.
type OfficeInput struct {
	Version  int
	Name     string
	Address  string
	Hours    string
	Disabled bool
}

func checkOffice(in *OfficeInput) error {
	in.Name, in.Address, in.Hours = strings.TrimSpace(in.Name), strings.TrimSpace(in.Address), strings.TrimSpace(in.Hours)
	v := apperr.Fields{}
	v.Check(runes(in.Name) >= 2 && runes(in.Name) <= 60, "name", apperr.CharsBetween(2, 60))
	v.Check(runes(in.Address) >= 5 && runes(in.Address) <= 200, "address", apperr.CharsBetween(5, 200))
	v.Check(runes(in.Hours) <= 100, "hours", apperr.MaxChars(100))
	return v.Err()
}

// Offices lists issuing windows; candidates see only open ones.
func (s *Service) Offices(ctx context.Context, includeDisabled bool) ([]Office, error) {
	return s.store.ListOffices(ctx, includeDisabled)
}

// CreateOffice adds an issuing window.
func (s *Service) CreateOffice(ctx context.Context, in OfficeInput) (Office, error) {
	if _, err := reqctx.Staff(ctx); err != nil {
		return Office{}, err
	}
	if err := checkOffice(&in); err != nil {
		return Office{}, err
	}
	o := Office{Name: in.Name, Address: in.Address, Hours: in.Hours, Disabled: in.Disabled, Version: 1}
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateOffice(ctx, &o); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "office.create", TargetType: "office", TargetID: strconv.FormatInt(o.ID, 10), After: o})
	})
	return o, err
}

// UpdateOffice edits an issuing window.
func (s *Service) UpdateOffice(ctx context.Context, id int64, in OfficeInput) (Office, error) {
	if _, err := reqctx.Staff(ctx); err != nil {
		return Office{}, err
	}
	if err := checkOffice(&in); err != nil {
		return Office{}, err
	}
	var out Office
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		var before Office
		o, err := s.store.UpdateOffice(ctx, id, func(o *Office) error {
			if o.Version != in.Version {
				return apperr.ErrVersionConflict
			}
			before = *o
			o.Name, o.Address, o.Hours, o.Disabled = in.Name, in.Address, in.Hours, in.Disabled
			o.Version++
			return nil
		})
		if err != nil {
			return err
		}
		out = o
		return s.audit.Record(ctx, audit.Entry{Action: "office.update", TargetType: "office", TargetID: strconv.FormatInt(id, 10), Before: before, After: o})
	})
	return out, err
}
