package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"taxiexam/cert"
	"taxiexam/internal/platform/signing"
)

func TestVerifyCertCommand(t *testing.T) {
	ring, err := signing.New("s2:sm2:" + signing.NewSeed() + ",s1:" + signing.NewSeed())
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := json.Marshal(ring.Published())
	keys := filepath.Join(t.TempDir(), "keys.json")
	if err := os.WriteFile(keys, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	url := "https://exam.example.cn" + cert.VerifyPath + cert.SignToken(ring, cert.Claims{CertificateID: 9, Kind: cert.KindTaxi, Holder: "王*",
		IDNumber: "3506**********0016", IssuedOn: day, ExpiresOn: day.AddDate(6, 0, -1), Version: 1})
	var out bytes.Buffer
	if err := run(context.Background(), []string{"verify-cert", "-keys", keys, url}, &out, &out); err != nil {
		t.Fatalf("genuine: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "GENUINE: certificate 9") || !strings.Contains(out.String(), "2032-05-31") {
		t.Fatalf("output: %s", out.String())
	}
	for name, bad := range map[string]string{
		"altered":   strings.Replace(url, "t=V", "t=W", 1),
		"truncated": url[:len(url)-6],
		"not a url": "hello",
	} {
		out.Reset()
		err := run(context.Background(), []string{"verify-cert", "-keys", keys, bad}, &out, &out)
		if !errors.Is(err, errNotGenuine) || !strings.Contains(out.String(), "NOT GENUINE") {
			t.Errorf("%s: %v %s", name, err, out.String())
		}
	}
	if err := run(context.Background(), []string{"verify-cert", url}, &out, &out); err == nil {
		t.Error("no keys file accepted")
	}
}

func TestTestdataRefusesWithoutItsGuard(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"testdata", "qualify", "-application", "1"}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "throw-away") {
		t.Fatalf("testdata without EXAMD_TESTDATA=1: %v", err)
	}
}
