package booking

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"taxiexam/internal/audit"
	"taxiexam/internal/platform/apperr"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// MaxSeatsPerRoom bounds a room (a large hall of terminals).
const MaxSeatsPerRoom = 500

var phoneRE = regexp.MustCompile(`^[0-9+\- ]{5,20}$`)

func checkText(f apperr.Fields, field, v string, required bool, maxRunes int) {
	if required && v == "" {
		f.Add(field, apperr.Required())
	}
	if utf8.RuneCountInString(v) > maxRunes {
		f.Add(field, apperr.MaxChars(maxRunes))
	}
}

func validateCentre(c *Centre) error {
	c.Name, c.Address, c.MapURL = strings.TrimSpace(c.Name), strings.TrimSpace(c.Address), strings.TrimSpace(c.MapURL)
	c.Phone, c.Notes = strings.TrimSpace(c.Phone), strings.TrimSpace(c.Notes)
	f := apperr.Fields{}
	checkText(f, "name", c.Name, true, 100)
	checkText(f, "address", c.Address, true, 300)
	checkText(f, "notes", c.Notes, false, 1000)
	if c.MapURL != "" {
		u, err := url.Parse(c.MapURL)
		f.Check(err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && len(c.MapURL) <= 500, "map_url", rsnMustBeAnHttpSLink)
	}
	f.Check(c.Phone == "" || phoneRE.MatchString(c.Phone), "phone", rsnDigitsSpacesAndOnly)
	return f.Err()
}

// CreateCentre adds an exam centre (audited).
func (s *Service) CreateCentre(ctx context.Context, c Centre) (Centre, error) {
	if err := validateCentre(&c); err != nil {
		return Centre{}, err
	}
	c.Version = 1
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateCentre(ctx, &c); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "booking.centre.create", TargetType: "exam_centre", TargetID: itoa(c.ID), After: c})
	})
	return c, err
}

// UpdateCentre edits a centre; version is what the editor saw.
func (s *Service) UpdateCentre(ctx context.Context, id int64, in Centre) (Centre, error) {
	if err := validateCentre(&in); err != nil {
		return Centre{}, err
	}
	var out Centre
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		var before Centre
		c, err := s.store.UpdateCentre(ctx, id, func(c *Centre) error {
			before = *c
			if in.Version != c.Version {
				return apperr.ErrVersionConflict
			}
			in.ID, in.Version = c.ID, c.Version+1
			*c = in
			return nil
		})
		if err != nil {
			return err
		}
		out = c
		return s.audit.Record(ctx, audit.Entry{Action: "booking.centre.update", TargetType: "exam_centre", TargetID: itoa(id), Before: before, After: c})
	})
	return out, err
}

// Centre returns one centre.
func (s *Service) Centre(ctx context.Context, id int64) (Centre, error) {
	return s.store.CentreByID(ctx, id)
}

// Centres lists centres (disabled ones only for the console).
func (s *Service) Centres(ctx context.Context, includeDisabled bool) ([]Centre, error) {
	return s.store.ListCentres(ctx, includeDisabled)
}

// CentreExists tells auth whether a proctor's centre_id is real.
func (s *Service) CentreExists(ctx context.Context, id int64) (bool, error) {
	_, err := s.store.CentreByID(ctx, id)
	if apperr.ErrNotFound.Is(err) {
		return false, nil
	}
	return err == nil, err
}

// RoomInput is a room as the editor sends it: a name and its seats.
type RoomInput struct {
	Name     string
	Seats    int   // numbered 1..Seats
	Disabled []int // seat numbers out of use
	Version  int
}

func (in *RoomInput) seats() ([]Seat, error) {
	in.Name = strings.TrimSpace(in.Name)
	f := apperr.Fields{}
	checkText(f, "name", in.Name, true, 50)
	f.Check(in.Seats >= 1 && in.Seats <= MaxSeatsPerRoom, "seats", apperr.Between(1, MaxSeatsPerRoom))
	off := map[int]bool{}
	for _, n := range in.Disabled {
		f.Check(n >= 1 && n <= in.Seats, "disabled", rsnSeatNumbersMustBeBetween1)
		off[n] = true
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	seats := make([]Seat, in.Seats)
	for i := range seats {
		seats[i] = Seat{Number: i + 1, Disabled: off[i+1]}
	}
	return seats, nil
}

// CreateRoom adds a room with numbered seats to a centre (audited).
func (s *Service) CreateRoom(ctx context.Context, centreID int64, in RoomInput) (Room, error) {
	seats, err := in.seats()
	if err != nil {
		return Room{}, err
	}
	r := Room{CentreID: centreID, Name: in.Name, Seats: seats, Version: 1}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.store.CentreByID(ctx, centreID); err != nil {
			return err
		}
		if err := s.store.CreateRoom(ctx, &r); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "booking.room.create", TargetType: "exam_room", TargetID: itoa(r.ID),
			After: map[string]any{"centre_id": centreID, "name": r.Name, "seats": in.Seats, "disabled": in.Disabled}})
	})
	return r, err
}

// UpdateRoom renames a room and changes its seats. Seats cannot be removed
// or disabled while the room has live sessions (their bookings hold seat
// numbers); adding seats is always allowed.
func (s *Service) UpdateRoom(ctx context.Context, id int64, in RoomInput) (Room, error) {
	seats, err := in.seats()
	if err != nil {
		return Room{}, err
	}
	var out Room
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		live, err := s.store.LiveSessionsInRoom(ctx, id)
		if err != nil {
			return err
		}
		var before Room
		r, err := s.store.UpdateRoom(ctx, id, func(r *Room) error {
			before = *r
			if in.Version != r.Version {
				return apperr.ErrVersionConflict
			}
			if live > 0 && losesSeats(r.Seats, seats) {
				return ErrRoomInUse
			}
			r.Name, r.Seats, r.Version = in.Name, seats, r.Version+1
			return nil
		})
		if err != nil {
			return err
		}
		out = r
		return s.audit.Record(ctx, audit.Entry{Action: "booking.room.update", TargetType: "exam_room", TargetID: itoa(id),
			Before: map[string]any{"name": before.Name, "open_seats": before.OpenSeats()}, After: map[string]any{"name": r.Name, "open_seats": r.OpenSeats()}})
	})
	return out, err
}

// losesSeats: some seat open before is missing or disabled after.
func losesSeats(before, after []Seat) bool {
	open := map[int]bool{}
	for _, s := range after {
		if !s.Disabled {
			open[s.Number] = true
		}
	}
	for _, s := range before {
		if !s.Disabled && !open[s.Number] {
			return true
		}
	}
	return false
}

// Rooms lists a centre's rooms with their seats.
func (s *Service) Rooms(ctx context.Context, centreID int64) ([]Room, error) {
	if _, err := s.store.CentreByID(ctx, centreID); err != nil {
		return nil, err
	}
	return s.store.RoomsOf(ctx, centreID)
}
