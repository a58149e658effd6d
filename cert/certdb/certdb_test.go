package certdb_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"taxiexam/cert"
	"taxiexam/cert/certdb"
	"taxiexam/internal/platform/testenv"
	"taxiexam/internal/wiring/schema"
)

func TestUniqueKeysAndEncryption(t *testing.T) {
	db := testenv.DB(t, schema.All())
	s := certdb.New(db, testenv.Protector(t))
	ctx := context.Background()
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	mk := func(app int64, kind cert.Kind, version int, status cert.Status) *cert.Certificate {
		return &cert.Certificate{CandidateID: 1, ApplicationID: app, Kind: kind, Version: version, LicenceID: strings.Repeat("x", version) + string(kind) + string(rune('0'+app)),
			HolderName: "王小明", IDNumber: "350602199001010016", Authority: "局", IssuedOn: day, ExpiresOn: day.AddDate(6, 0, -1), Status: status}
	}
	for _, tc := range []struct {
		name string
		c    *cert.Certificate
		want bool
	}{
		{"first", mk(1, cert.KindTaxi, 1, cert.StatusValid), true},
		{"same lineage again", mk(1, cert.KindTaxi, 1, cert.StatusValid), false},
		{"second valid taxi of the candidate (another application)", mk(2, cert.KindTaxi, 1, cert.StatusValid), false},
		{"the other kind", mk(1, cert.KindRideHailing, 1, cert.StatusValid), true},
		{"a revoked one does not hold the valid key", mk(3, cert.KindTaxi, 1, cert.StatusRevoked), true},
	} {
		ok, err := s.InsertCertificate(ctx, tc.c)
		if err != nil || ok != tc.want {
			t.Errorf("%s: inserted %v, %v; want %v", tc.name, ok, err, tc.want)
		}
	}
	var raw struct{ HolderNameEnc, IDNumberEnc string }
	if err := db.Conn(ctx).Table("certificates").Select("holder_name_enc, id_number_enc").Where("application_id = 1").Limit(1).Scan(&raw).Error; err != nil {
		t.Fatal(err)
	}
	if strings.Contains(raw.IDNumberEnc, "350602") || strings.Contains(raw.HolderNameEnc, "王") || raw.IDNumberEnc == "" {
		t.Fatalf("personal data stored in the clear: %+v", raw)
	}
	got, total, err := s.SearchCertificates(ctx, cert.Filter{IDNumber: "350602199001010016", Limit: 10})
	if err != nil || total != 3 || got[0].IDNumber != "350602199001010016" {
		t.Fatalf("search by blind index: %d, %v", total, err)
	}
	d := &cert.Delivery{ApplicationID: 1, CandidateID: 1, Method: cert.MethodPost, Status: cert.DeliveryOrdered, OfficeID: 1, HolderName: "王小明", IDNumber: "350602199001010016", Version: 1}
	if ok, err := s.InsertDelivery(ctx, d); !ok || err != nil {
		t.Fatalf("delivery: %v %v", ok, err)
	}
	if ok, _ := s.InsertDelivery(ctx, &cert.Delivery{ApplicationID: 1, CandidateID: 1, Method: cert.MethodPickup, Status: cert.DeliveryPreparing, Version: 1}); ok {
		t.Fatal("a second parcel for one application")
	}
}
